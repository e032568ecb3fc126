use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::time::{self, MissedTickBehavior};

// ANCHOR: all
/// Blocks its thread for 200 ms three times, and lets other tasks run in
/// between.
async fn chunked_job() {
    for _ in 0..3 {
        std::thread::sleep(Duration::from_millis(200));
        tokio::task::yield_now().await;
    }
}

/// Wakes every 10 ms and records, in microseconds, its worst lateness.
async fn watchdog(worst_lateness_us: Arc<AtomicU64>) {
    let mut ticks = time::interval(Duration::from_millis(10));
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        let due = ticks.tick().await;
        let late = due.elapsed().as_micros() as u64;
        worst_lateness_us.fetch_max(late, Ordering::Relaxed);
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let worst = Arc::new(AtomicU64::new(0));
    let watchdog = tokio::spawn(watchdog(worst.clone()));
    let job = tokio::spawn(chunked_job());
    job.await.expect("the job panicked");
    watchdog.abort();
    let worst_ms = worst.load(Ordering::Relaxed) as f64 / 1000.0;
    println!("watchdog: worst wake-up {worst_ms:.1} ms late");
    // ANCHOR_END: all
    println!("{}", one_stretch(worst_ms));
    // ANCHOR: all
}
// ANCHOR_END: all

/// The answer, checked: the worst lateness is about one 200 ms stretch, far
/// from the 600 ms of three. The program stops with an error otherwise.
fn one_stretch(worst_ms: f64) -> &'static str {
    if !(150.0..400.0).contains(&worst_ms) {
        eprintln!("expected about one 200 ms stretch, saw {worst_ms:.1} ms");
        std::process::exit(1);
    }
    "about one blocking stretch, not three"
}
