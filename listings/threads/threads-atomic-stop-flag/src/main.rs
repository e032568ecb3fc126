// ANCHOR: all
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;
// ANCHOR_END: all

/// Simulates one small job, such as answering one request.
fn handle_request() {
    thread::sleep(Duration::from_millis(1));
}

// ANCHOR: all
fn main() {
    let stop = AtomicBool::new(false);
    let handled = AtomicUsize::new(0);

    let per_worker: Vec<usize> = thread::scope(|scope| {
        let workers: Vec<_> = (0..3)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = 0;
                    // Relaxed is enough: the flag and the counter publish no
                    // other data, they only need to be read and changed whole.
                    while !stop.load(Ordering::Relaxed) {
                        handle_request();
                        handled.fetch_add(1, Ordering::Relaxed);
                        mine += 1;
                    }
                    mine
                })
            })
            .collect();
        // Let the service run for a while (a simulated lifetime), then ask
        // every worker to stop after its current request.
        thread::sleep(Duration::from_millis(50));
        stop.store(true, Ordering::Relaxed);
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });

    // The threads are joined: every increment is visible now.
    let total = handled.load(Ordering::Relaxed);
    println!("3 workers stopped after handling {total} requests");
    println!("their own counts: {per_worker:?}");
    println!(
        "the counts add up: {}",
        per_worker.iter().sum::<usize>() == total
    );
}
// ANCHOR_END: all
