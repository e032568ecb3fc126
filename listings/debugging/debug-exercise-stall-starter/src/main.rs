use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::Duration;
use tokio::task::JoinSet;
use tokio::time::{self, MissedTickBehavior};

// ANCHOR: handlers
/// Writes audit records on a thread of its own, as a synchronous logging
/// library would, and acknowledges each one once it is on disk.
fn start_audit_writer() -> mpsc::Sender<(u32, mpsc::Sender<()>)> {
    let (records, inbox) = mpsc::channel::<(u32, mpsc::Sender<()>)>();
    thread::spawn(move || {
        for (_request, done) in inbox {
            thread::sleep(Duration::from_millis(150)); // the disk write
            let _ = done.send(());
        }
    });
    records
}

async fn resize(request: u32) -> u32 {
    time::sleep(Duration::from_millis(30)).await; // waits for the image store
    request * 2
}

async fn lookup(request: u32) -> u32 {
    for _ in 0..3 {
        time::sleep(Duration::from_millis(5)).await; // three cache reads
    }
    request + 1
}

async fn audit(request: u32, writer: mpsc::Sender<(u32, mpsc::Sender<()>)>) -> u32 {
    let (done, written) = mpsc::channel();
    writer
        .send((request, done))
        .expect("the audit writer has stopped");
    written
        .recv_timeout(Duration::from_secs(1))
        .expect("the audit record was not written in time");
    request
}
// ANCHOR_END: handlers

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

// ANCHOR: main
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let worst = Arc::new(AtomicU64::new(0));
    let watchdog = tokio::spawn(watchdog(worst.clone()));
    let writer = start_audit_writer();
    let mut handlers = JoinSet::new();
    for request in 0..3 {
        handlers.spawn(resize(request));
        handlers.spawn(lookup(request));
        handlers.spawn(audit(request, writer.clone()));
    }
    handlers.join_all().await;
    watchdog.abort();
    let worst_ms = worst.load(Ordering::Relaxed) as f64 / 1000.0;
    println!("watchdog: worst wake-up {worst_ms:.1} ms late");
    println!(
        "the handler that stalls the runtime: {}",
        not_found_yet(worst_ms)
    );
}
// ANCHOR_END: main

/// The starter finds the stall but not its cause; it stops with an error if
/// the watchdog did not even see the stall.
fn not_found_yet(worst_ms: f64) -> &'static str {
    if worst_ms < 100.0 {
        eprintln!("the watchdog saw no stall (worst {worst_ms:.1} ms late)");
        std::process::exit(1);
    }
    "not found yet"
}
