use std::time::Duration;

use tokio::task::JoinSet;
use tokio::time::sleep;

// ANCHOR: step
/// Reports on drop whether the step it belongs to got to the end.
struct Progress {
    step: &'static str,
    finished: bool,
}

impl Drop for Progress {
    fn drop(&mut self) {
        if !self.finished {
            println!("  {}: cancelled", self.step);
        }
    }
}

/// One step of an order: succeeds or fails after `millis`.
async fn step(name: &'static str, millis: u64, fails: bool) -> Result<&'static str, String> {
    let mut progress = Progress {
        step: name,
        finished: false,
    };
    sleep(Duration::from_millis(millis)).await;
    progress.finished = true; // from here on, dropping it prints nothing
    if fails {
        return Err(format!("{name} failed"));
    }
    println!("  {name}: done");
    Ok(name)
}
// ANCHOR_END: step

// ANCHOR: all
/// asyncio.TaskGroup's rules on a JoinSet: wait for every task; on the first
/// failure (an error or a panic), cancel the others, wait until they are
/// gone, and report the failure.
async fn all_or_nothing(
    mut tasks: JoinSet<Result<&'static str, String>>,
) -> Result<Vec<&'static str>, String> {
    let mut finished = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let failure = match joined {
            Ok(Ok(name)) => {
                finished.push(name);
                continue;
            }
            Ok(Err(error)) => error,
            Err(join_error) => format!("a task panicked or was cancelled: {join_error}"),
        };
        // abort_all() + wait for each: unlike dropping the set, this returns
        // only when every other task's future has been dropped.
        tasks.shutdown().await;
        return Err(failure);
    }
    Ok(finished)
}

#[tokio::main(flavor = "current_thread", start_paused = true)]
async fn main() {
    for payment_fails in [false, true] {
        println!("order with payment_fails = {payment_fails}:");
        let mut tasks = JoinSet::new();
        tasks.spawn(step("inventory", 10, false));
        tasks.spawn(step("payment", 20, payment_fails));
        tasks.spawn(step("shipping label", 30, false));
        println!("  result: {:?}", all_or_nothing(tasks).await);
    }
}
// ANCHOR_END: all
