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
    // Notes the moment of every beat, for 150 ms.
    let heartbeat = tokio::spawn(async {
        let start = Instant::now();
        let mut ticks = tokio::time::interval(Duration::from_millis(10));
        let mut beats = Vec::new();
        while start.elapsed() < Duration::from_millis(150) {
            ticks.tick().await;
            beats.push(Instant::now());
        }
        beats
    });
    tokio::task::yield_now().await; // let the heartbeat start

    let data = vec![7u8; 300_000];
    let computing = Instant::now();
    // The closure must be 'static: it takes the buffer by move. The runtime
    // thread is free while the blocking pool computes.
    let sum = tokio::task::spawn_blocking(move || checksum(&data))
        .await
        .expect("the checksum panicked");

    let finished = Instant::now();

    let beats = heartbeat.await.expect("the heartbeat panicked");
    println!("checksum {sum:016x}");
    // A beat can only happen while the runtime's thread is free: none at all
    // during the computation means the computation held that thread.
    let during = beats
        .iter()
        .filter(|&&beat| beat > computing && beat < finished)
        .count();
    println!(
        "heartbeats during the {} ms checksum: {during} (goal: at least one): {}",
        (finished - computing).as_millis(),
        if during == 0 {
            "the heartbeat stalled"
        } else {
            "the heartbeat kept beating"
        }
    );
}
// ANCHOR_END: all
