// ANCHOR: all
use std::time::Duration;

use tokio::time::{Instant, sleep};
use tokio_util::task::AbortOnDropHandle;

/// Prints a line every `period`, for ever.
async fn heartbeat(name: &str, period: u64, start: Instant) {
    loop {
        sleep(Duration::from_millis(period)).await;
        println!("{name}: beat at {} ms", start.elapsed().as_millis());
    }
}

#[tokio::main(flavor = "current_thread", start_paused = true)]
async fn main() {
    let start = Instant::now();
    let plain = tokio::spawn(heartbeat("plain JoinHandle", 100, start));
    let owned = tokio::spawn(heartbeat("AbortOnDropHandle", 70, start));
    let owned = AbortOnDropHandle::new(owned);

    sleep(Duration::from_millis(150)).await;
    drop(plain); // detaches: the task runs on, with no handle left
    drop(owned); // aborts the task
    println!("both handles dropped at 150 ms");

    sleep(Duration::from_millis(200)).await;
    println!("main ends at {} ms", start.elapsed().as_millis());
}
// ANCHOR_END: all
