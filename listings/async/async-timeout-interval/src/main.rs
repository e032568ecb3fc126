use std::time::{Duration, Instant};

use tokio::time::{MissedTickBehavior, interval, sleep, timeout};

// ANCHOR: all
async fn look_up_stock(item: &str, latency: Duration) -> u32 {
    sleep(latency).await;
    item.len() as u32
}

#[tokio::main]
async fn main() {
    let budget = Duration::from_millis(200);

    // timeout wraps any future: Ok(output) if it finishes within the budget,
    // Err(Elapsed) if not, and then the inner future is dropped.
    let fast = timeout(budget, look_up_stock("lamp", Duration::from_millis(10))).await;
    println!("fast lookup: {fast:?}");
    let slow = timeout(budget, look_up_stock("desk", Duration::from_secs(5))).await;
    match slow {
        Ok(stock) => println!("slow lookup: {stock}"),
        Err(elapsed) => println!("slow lookup: gave up ({elapsed})"),
    }

    // interval ticks on a fixed schedule (the first tick is immediate), so a
    // slow loop body does not push later beats back, unlike sleep in a loop.
    let start = Instant::now();
    let mut heartbeat = interval(Duration::from_millis(50));
    heartbeat.set_missed_tick_behavior(MissedTickBehavior::Delay);
    for beat in 1..=4 {
        heartbeat.tick().await;
        println!("heartbeat {beat} at {} ms", start.elapsed().as_millis());
    }
}
// ANCHOR_END: all
