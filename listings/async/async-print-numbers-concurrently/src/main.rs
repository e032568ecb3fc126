// ANCHOR: all
use std::time::{Duration, Instant};

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
    let elapsed = start.elapsed();
    println!("both counters done in {} ms", elapsed.as_millis());
    // ANCHOR_END: all
    // One after the other, the two counters sleep 10 x 100 ms.
    if elapsed < Duration::from_millis(1_000) {
        println!("check: less than the 1000 ms of one counter after the other");
    } else {
        println!("check: NOT concurrent: 1000 ms or more");
    }
    // ANCHOR: all
}
// ANCHOR_END: all
