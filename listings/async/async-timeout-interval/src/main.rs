use std::time::Duration;

use tokio::time::{Instant, MissedTickBehavior, interval, sleep, timeout, timeout_at};

// ANCHOR: timeout
/// A stand-in for a query to the warehouse: after `latency`, it answers with
/// a made-up stock, the length of the item's name.
async fn look_up_stock(item: &str, latency: Duration) -> u32 {
    sleep(latency).await;
    item.len() as u32
}

/// Two lookups, each under its own `timeout` of `budget`.
async fn two_lookups(budget: Duration) {
    // timeout wraps any future: Ok(output) if it finishes within the budget,
    // Err(Elapsed) if not, and then the inner future is dropped.
    let start = Instant::now();
    let fast = timeout(budget, look_up_stock("lamp", Duration::from_millis(10))).await;
    println!(
        "fast lookup: {fast:?} after {} ms",
        start.elapsed().as_millis()
    );

    let start = Instant::now();
    let slow = timeout(budget, look_up_stock("desk", Duration::from_secs(5))).await;
    let took = start.elapsed().as_millis();
    match slow {
        Ok(stock) => println!("slow lookup: {stock} after {took} ms"),
        Err(elapsed) => println!("slow lookup: gave up ({elapsed}) after {took} ms"),
    }
}
// ANCHOR_END: timeout

// ANCHOR: deadline
/// Three lookups of 80 ms each, under one deadline for all three: each gets
/// what is left of the budget, not a fresh one.
async fn one_deadline(budget: Duration) {
    let start = Instant::now();
    let deadline = start + budget;
    let mut done = Vec::new();
    for item in ["lamp", "desk", "chair"] {
        let lookup = look_up_stock(item, Duration::from_millis(80));
        if timeout_at(deadline, lookup).await.is_err() {
            let took = start.elapsed().as_millis();
            println!("one deadline: {done:?} done, {item} cut off at {took} ms");
            return;
        }
        done.push(item);
    }
    println!("one deadline: all done");
}
// ANCHOR_END: deadline

// ANCHOR: interval
/// An interval of 50 ms whose loop body, once, takes 130 ms: the ticks due
/// at 100 and 150 ms are missed. Returns when the six ticks came.
async fn tick_times(behavior: MissedTickBehavior) -> Vec<u128> {
    let start = Instant::now();
    let mut heartbeat = interval(Duration::from_millis(50));
    heartbeat.set_missed_tick_behavior(behavior);
    let mut times = Vec::new();
    for beat in 0..6 {
        heartbeat.tick().await; // the first tick is immediate
        times.push(start.elapsed().as_millis());
        if beat == 1 {
            sleep(Duration::from_millis(130)).await; // a slow loop body
        }
    }
    times
}
// ANCHOR_END: interval

// ANCHOR: main
// On the paused clock, the times printed are exact.
#[tokio::main(flavor = "current_thread", start_paused = true)]
async fn main() {
    let budget = Duration::from_millis(200);
    two_lookups(budget).await;
    one_deadline(budget).await;

    for behavior in [
        MissedTickBehavior::Burst, // the default
        MissedTickBehavior::Delay,
        MissedTickBehavior::Skip,
    ] {
        let ticks: Vec<String> = tick_times(behavior)
            .await
            .iter()
            .map(|millis| format!("{millis} ms"))
            .collect();
        println!(
            "{:<6} ticks at {}",
            format!("{behavior:?}:"),
            ticks.join(", ")
        );
    }
}
// ANCHOR_END: main
