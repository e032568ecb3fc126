// ANCHOR: all
use std::thread;

fn request_log() -> Vec<String> {
    [
        "GET /index.html 200",
        "GET /missing 404",
        "POST /login 500",
        "GET /style.css 200",
        "GET /old-page 404",
        "GET /logo.png 200",
        "POST /cart 200",
    ]
    .map(String::from)
    .to_vec()
}

fn failures(lines: &[String]) -> usize {
    lines.iter().filter(|line| !line.ends_with(" 200")).count()
}

fn main() {
    // Fix 1: `move` hands the vector to the thread. The thread may outlive
    // this function, so it must own what it uses; main cannot use it after.
    let log_lines = request_log();
    let worker = thread::spawn(move || failures(&log_lines));
    let total = worker.join().expect("the counting thread panicked");
    println!("one thread that owns the log: {total} failures");

    // Fix 2: scoped threads may borrow, because `thread::scope` joins every
    // thread spawned in it before it returns: the log outlives them all.
    let log_lines = request_log();
    let per_chunk: Vec<usize> = thread::scope(|scope| {
        let handles: Vec<_> = log_lines
            .chunks(3)
            .map(|chunk| scope.spawn(move || failures(chunk)))
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("a counting thread panicked"))
            .collect()
    });
    println!("scoped threads, one per chunk of 3 lines: {per_chunk:?} failures");
    println!("main still owns all {} lines", log_lines.len());
}
// ANCHOR_END: all
