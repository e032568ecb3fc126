use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;

use tokio::runtime::{Builder, Runtime};
use tokio::task::JoinSet;

/// Spawns `tasks` tasks on `runtime` that all wait at one `std` barrier, and
/// returns the names of the threads that ran them. The barrier blocks its
/// thread (on purpose, never do it in real async code) and lets everyone go
/// only when all `tasks` are inside it at the same moment: that is possible
/// only if each runs on a thread of its own, in parallel.
fn threads_used(runtime: &Runtime, tasks: usize) -> BTreeSet<String> {
    let barrier = Arc::new(Barrier::new(tasks));
    runtime.block_on(async {
        let mut set = JoinSet::new();
        for _ in 0..tasks {
            let barrier = Arc::clone(&barrier);
            set.spawn(async move {
                barrier.wait();
                thread::current().name().unwrap_or("unnamed").to_owned()
            });
        }
        let mut names = BTreeSet::new();
        while let Some(name) = set.join_next().await {
            names.insert(name.expect("a task panicked"));
        }
        names
    })
}

// ANCHOR: all
fn main() -> std::io::Result<()> {
    // What #[tokio::main(flavor = "current_thread")] builds: one thread, the
    // caller's, which runs every task between its awaits. One task only: the
    // helper's proof of parallelism needs a thread for each task.
    let single = Builder::new_current_thread().enable_all().build()?;
    println!("current_thread, 1 task:  {:?}", threads_used(&single, 1));

    // What #[tokio::main] builds (with one worker per core by default).
    let workers = AtomicUsize::new(0);
    let pool = Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name_fn(move || {
            let number = workers.fetch_add(1, Ordering::Relaxed) + 1;
            format!("order-worker-{number}")
        })
        .enable_all()
        .build()?;
    println!("multi_thread, 2 tasks:   {:?}", threads_used(&pool, 2));
    Ok(())
}
// ANCHOR_END: all
