use std::time::Duration;

use tokio::sync::oneshot;
use tokio::time::sleep;

// ANCHOR: helpers
/// Prints when the task's future is dropped.
struct Guard(&'static str);

impl Drop for Guard {
    fn drop(&mut self) {
        println!("{}: future dropped", self.0);
    }
}

/// Stands for a computation: holds its thread for 300 ms, with no .await.
fn compute() {
    std::thread::sleep(Duration::from_millis(300));
}
// ANCHOR_END: helpers

// ANCHOR: all
#[tokio::main(worker_threads = 2)]
async fn main() {
    // A task that computes without an .await.
    let (started, computing) = oneshot::channel();
    let busy = tokio::spawn(async move {
        let _guard = Guard("busy task");
        let _ = started.send(()); // tells main the computation starts now
        compute(); // abort() is called while this runs
        println!("busy task: still running after abort()");
        sleep(Duration::from_millis(1)).await; // the first .await after the abort
        println!("busy task: never printed");
    });
    computing.await.unwrap();
    busy.abort();
    println!("busy task: {}", outcome(busy.await));

    // A closure on the blocking pool cannot be stopped at all.
    let (started, computing) = oneshot::channel();
    let blocking = tokio::task::spawn_blocking(move || {
        let _ = started.send(());
        compute();
        "finished its work"
    });
    computing.await.unwrap();
    blocking.abort();
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
