// ANCHOR: all
use std::time::{Duration, Instant};

use tokio::runtime::Builder;
use tokio::sync::oneshot;

/// What the blocking job would need to finish: far longer than we wait.
const JOB: Duration = Duration::from_secs(10);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runtime = Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let (started, has_started) = oneshot::channel();
        tokio::task::spawn_blocking(move || {
            let _ = started.send(());
            std::thread::sleep(JOB); // a synchronous call that hangs
        });
        has_started.await
    })?;

    let start = Instant::now();
    // Dropping `runtime` here would wait for the job, all 10 s of it.
    runtime.shutdown_timeout(Duration::from_millis(200));
    let waited = start.elapsed();
    println!("the runtime shut down after {} ms", waited.as_millis());
    // ANCHOR_END: all
    if waited >= JOB {
        return Err("shutdown_timeout waited for the blocking job".into());
    }
    // ANCHOR: all
    Ok(())
}
// ANCHOR_END: all
