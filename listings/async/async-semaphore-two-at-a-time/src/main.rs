use std::sync::atomic::{AtomicUsize, Ordering};
// ANCHOR: all
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::time::{Instant, sleep};
// ANCHOR_END: all

/// Downloads running now, and the most that ever ran at once.
static RUNNING: AtomicUsize = AtomicUsize::new(0);
static MOST: AtomicUsize = AtomicUsize::new(0);

// ANCHOR: all
const PERMITS: usize = 2;

#[tokio::main(flavor = "current_thread", start_paused = true)]
async fn main() -> Result<(), tokio::task::JoinError> {
    let downloads = Arc::new(Semaphore::new(PERMITS));
    let start = Instant::now();
    let mut jobs = Vec::new();
    for id in 1..=6 {
        let downloads = Arc::clone(&downloads);
        jobs.push(tokio::spawn(async move {
            // Waits, as a task, until one of the two permits is free.
            let _permit = downloads.acquire_owned().await.expect("never closed");
            let began = start.elapsed().as_millis();
            // ANCHOR_END: all
            let now = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
            MOST.fetch_max(now, Ordering::SeqCst);
            // ANCHOR: all
            sleep(Duration::from_millis(100)).await; // the download
            // ANCHOR_END: all
            RUNNING.fetch_sub(1, Ordering::SeqCst);
            // ANCHOR: all
            let ended = start.elapsed().as_millis();
            format!("download {id}: from {began} ms to {ended} ms")
        })); // the task ends, `_permit` is dropped, the next download starts
    }
    for job in jobs {
        println!("{}", job.await?);
    }
    // ANCHOR_END: all
    let most = MOST.load(Ordering::SeqCst);
    if most > PERMITS {
        println!("check: {most} downloads ran at once, more than {PERMITS}");
        std::process::exit(1);
    }
    // ANCHOR: all
    Ok(())
}
// ANCHOR_END: all
