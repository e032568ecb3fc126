use std::time::{Duration, Instant};

/// CPU-bound work: a simple checksum over a large buffer, many rounds.
fn checksum(data: &[u8]) -> u64 {
    let mut sum = 0u64;
    for round in 0..80u64 {
        for &byte in data {
            sum = sum.wrapping_mul(31).wrapping_add(u64::from(byte) ^ round);
        }
    }
    sum
}

// ANCHOR: all
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let heartbeat = tokio::spawn(async {
        let start = Instant::now();
        let mut ticks = tokio::time::interval(Duration::from_millis(10));
        let mut longest = Duration::ZERO;
        let mut last = Instant::now();
        while start.elapsed() < Duration::from_millis(150) {
            ticks.tick().await;
            longest = longest.max(last.elapsed());
            last = Instant::now();
        }
        longest
    });
    tokio::task::yield_now().await; // let the heartbeat start

    let data = vec![7u8; 300_000];
    let computing = Instant::now();
    // TODO: this stalls the only runtime thread. Keep the heartbeat ticking.
    let sum = checksum(&data);

    let took = computing.elapsed();

    let longest = heartbeat.await.expect("the heartbeat panicked");
    println!("checksum {sum:016x}");
    // Silent for half the computation or more, and for two beats at least.
    let stalled = longest >= took / 2 && longest > Duration::from_millis(20);
    println!(
        "longest heartbeat gap: {} ms (goal: about 10 ms): {}",
        longest.as_millis(),
        if stalled {
            "the heartbeat stalled"
        } else {
            "the heartbeat kept ticking"
        }
    );
}
// ANCHOR_END: all
