use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

// ANCHOR: helpers
/// Prints when the task's future is dropped.
struct Guard(&'static str);

impl Drop for Guard {
    fn drop(&mut self) {
        println!("{}: future dropped", self.0);
    }
}

/// Spins until `flag` is set, without an .await (at most 2 s).
fn busy_until(flag: &AtomicBool) {
    let start = Instant::now();
    while !flag.load(Ordering::Acquire) && start.elapsed() < Duration::from_secs(2) {
        std::hint::spin_loop();
    }
}
// ANCHOR_END: helpers

// ANCHOR: all
#[tokio::main(worker_threads = 2)]
async fn main() {
    let aborted = Arc::new(AtomicBool::new(false));

    // A task that computes without an .await.
    let (started, running) = oneshot::channel();
    let flag = Arc::clone(&aborted);
    let busy = tokio::spawn(async move {
        let _guard = Guard("busy task");
        let _ = started.send(());
        busy_until(&flag); // abort() is called while this runs
        println!("busy task: still running after abort()");
        tokio::task::yield_now().await; // the first .await after the abort
        println!("busy task: never printed");
    });
    running.await.expect("the busy task did not start");
    busy.abort();
    aborted.store(true, Ordering::Release);
    println!("busy task: {}", outcome(busy.await));

    // A closure on the blocking pool cannot be stopped at all.
    let (started, running) = oneshot::channel();
    let flag = Arc::new(AtomicBool::new(false));
    let blocking_flag = Arc::clone(&flag);
    let blocking = tokio::task::spawn_blocking(move || {
        let _ = started.send(());
        busy_until(&blocking_flag);
        "finished its work"
    });
    running.await.expect("the blocking closure did not start");
    blocking.abort();
    flag.store(true, Ordering::Release);
    println!("spawn_blocking task: {}", outcome(blocking.await));
}

fn outcome<T: std::fmt::Debug>(joined: Result<T, tokio::task::JoinError>) -> String {
    match joined {
        Ok(value) => format!("ran to the end, returned {value:?}"),
        Err(error) if error.is_cancelled() => "cancelled".to_owned(),
        Err(error) => format!("failed: {error}"),
    }
}
// ANCHOR_END: all
