use std::collections::BTreeSet;
use std::thread;

use tokio::runtime::{Builder, Runtime};
use tokio::task::JoinSet;

// ANCHOR: all
/// Spawns eight small tasks on `runtime` and collects the names of the
/// threads that ran them.
fn threads_used(runtime: &Runtime) -> BTreeSet<String> {
    runtime.block_on(async {
        let mut tasks = JoinSet::new();
        for _ in 0..8 {
            tasks.spawn(async {
                // Give the scheduler a chance to move things around.
                tokio::task::yield_now().await;
                thread::current().name().unwrap_or("unnamed").to_owned()
            });
        }
        let mut names = BTreeSet::new();
        while let Some(name) = tasks.join_next().await {
            names.insert(name.expect("a task panicked"));
        }
        names
    })
}

fn main() -> std::io::Result<()> {
    // What #[tokio::main(flavor = "current_thread")] builds: one thread, the
    // caller's, which runs every task between its awaits.
    let single = Builder::new_current_thread().enable_all().build()?;
    println!("current_thread: {:?}", threads_used(&single));

    // What #[tokio::main] builds (with one worker per core by default).
    let pool = Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("order-worker")
        .enable_all()
        .build()?;
    println!("multi_thread:   {:?}", threads_used(&pool));
    Ok(())
}
// ANCHOR_END: all
