// ANCHOR: ticker
use std::time::{Duration, Instant};

const TICK: Duration = Duration::from_millis(10);
const BLOCKED: Duration = Duration::from_millis(200);

/// Sleeps for 10 ms three times, and prints how long each sleep really took.
async fn ticker() {
    for tick in 1..=3 {
        let asked = Instant::now();
        tokio::time::sleep(TICK).await;
        let took = asked.elapsed().as_millis();
        println!(
            "  tick {tick}: asked for {} ms, woke after {took:>3} ms",
            TICK.as_millis()
        );
    }
}
// ANCHOR_END: ticker

/// Says whether the ticker had to wait for the blocking call: it could
/// finish first only if it kept getting the thread while the call ran.
fn verdict(blocker: &tokio::task::JoinHandle<()>) {
    if blocker.is_finished() {
        println!("check: the ticks waited until the blocking call ended: stalled");
    } else {
        println!("check: all three ticks came while the blocking call ran: not stalled");
    }
}

// ANCHOR: stall
/// A task that calls std::thread::sleep, while the ticker runs beside it.
async fn sleep_in_a_task() {
    let blocker = tokio::spawn(async {
        std::thread::sleep(BLOCKED); // holds the thread for 200 ms
    });
    ticker().await;
    // ANCHOR_END: stall
    verdict(&blocker);
    // ANCHOR: stall
    blocker.await.expect("the blocking task panicked");
}
// ANCHOR_END: stall

// ANCHOR: fix
/// The same sleep, inside spawn_blocking.
async fn sleep_in_spawn_blocking() {
    let blocker = tokio::spawn(async {
        // The closure runs on another thread; this task awaits its end.
        tokio::task::spawn_blocking(|| std::thread::sleep(BLOCKED))
            .await
            .expect("the blocking closure panicked");
    });
    ticker().await;
    // ANCHOR_END: fix
    verdict(&blocker);
    // ANCHOR: fix
    blocker.await.expect("the blocking task panicked");
}

// One thread runs main and every task, as in asyncio.
#[tokio::main(flavor = "current_thread")]
async fn main() {
    println!("std::thread::sleep in a task:");
    sleep_in_a_task().await;
    println!("the same sleep in spawn_blocking:");
    sleep_in_spawn_blocking().await;
}
// ANCHOR_END: fix
