use std::time::{Duration, Instant};

// ANCHOR: all
// The guide's coroutine, with a name so that two copies can be told apart.
async fn print_numbers(name: &str) {
    for i in 0..5 {
        println!("{name} {i}");
        // Simulate a non-blocking I/O operation (the guide waits 1 s).
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::main]
async fn main() {
    let start = Instant::now();
    // Python: await asyncio.gather(print_numbers("first"), print_numbers("second"))
    tokio::join!(print_numbers("first"), print_numbers("second"));
    println!("both counters done in {} ms", start.elapsed().as_millis());
}
// ANCHOR_END: all
