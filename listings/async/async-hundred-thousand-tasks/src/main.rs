use std::error::Error;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Instant;

use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

const DEFAULT_TASKS: usize = 100_000;
const THREADS: usize = 1_000;

/// The number of tasks: the first argument, if any (try 1000000).
fn task_count() -> Result<usize, String> {
    match std::env::args().nth(1) {
        None => Ok(DEFAULT_TASKS),
        Some(arg) => arg.parse().ok().filter(|&tasks| tasks > 0).ok_or(format!(
            "usage: async-hundred-thousand-tasks [TASKS], TASKS > 0; got {arg:?}"
        )),
    }
}

/// The book's one memory figure (processes/cost.md, Linux only): this
/// process's proportional set size (PSS), its page tables (VmPTE), and the
/// kernel stacks of the whole machine (KernelStack; one per thread).
fn memory_bytes() -> Result<u64, Box<dyn Error>> {
    let pss = kib_field(&std::fs::read_to_string("/proc/self/smaps_rollup")?, "Pss:")?;
    let page_tables = kib_field(&std::fs::read_to_string("/proc/self/status")?, "VmPTE:")?;
    let meminfo = std::fs::read_to_string("/proc/meminfo")?;
    let kernel_stacks = kib_field(&meminfo, "KernelStack:")?;
    Ok((pss + page_tables + kernel_stacks) * 1024)
}

/// The number of KiB on the line that starts with `name`.
fn kib_field(text: &str, name: &str) -> Result<u64, Box<dyn Error>> {
    let line = text
        .lines()
        .find(|l| l.starts_with(name))
        .ok_or(format!("no {name} line"))?;
    let kib = line.split_whitespace().nth(1).ok_or("empty line")?;
    Ok(kib.parse()?)
}

// ANCHOR: tasks
/// Starts `tasks` tasks that all wait for one signal; returns bytes per task.
async fn measure_tasks(tasks: usize) -> Result<u64, Box<dyn Error>> {
    let before = memory_bytes()?;
    let start = Instant::now();
    let (go, signal) = watch::channel(false);
    let started = Arc::new(Semaphore::new(0)); // one permit per started task
    let mut waiting = JoinSet::new();
    for _ in 0..tasks {
        let mut signal = signal.clone();
        let started = Arc::clone(&started);
        waiting.spawn(async move {
            started.add_permits(1);
            let _ = signal.changed().await; // wait, holding no thread
        });
    }
    // Every task has run up to its await: they are all waiting now.
    let _all = started.acquire_many(u32::try_from(tasks)?).await?;
    let during = memory_bytes()?;
    println!(
        "{tasks} tasks started and waiting after {} ms",
        start.elapsed().as_millis()
    );

    go.send(true)?;
    let finished = waiting.join_all().await.len();
    println!(
        "{finished} tasks finished after {} ms",
        start.elapsed().as_millis()
    );
    Ok(during.saturating_sub(before) / tasks as u64)
}
// ANCHOR_END: tasks

// ANCHOR: threads
/// Starts THREADS threads that all wait at a barrier; returns bytes per thread.
fn measure_threads() -> Result<u64, Box<dyn Error>> {
    let before = memory_bytes()?;
    let all_started = Arc::new(Barrier::new(THREADS + 1));
    let go = Arc::new(Barrier::new(THREADS + 1));
    let threads: Vec<_> = (0..THREADS)
        .map(|_| {
            let (all_started, go) = (Arc::clone(&all_started), Arc::clone(&go));
            thread::spawn(move || {
                all_started.wait();
                go.wait(); // wait, holding a whole thread
            })
        })
        .collect();
    all_started.wait();
    let during = memory_bytes()?;
    go.wait();
    for thread in threads {
        thread.join().map_err(|_| "a thread panicked")?;
    }
    println!("{THREADS} threads started, waited and finished");
    Ok(during.saturating_sub(before) / THREADS as u64)
}
// ANCHOR_END: threads

// ANCHOR: main
#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let tasks = match task_count() {
        Ok(tasks) => tasks,
        Err(usage) => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    };
    let per_task = measure_tasks(tasks).await?;
    let per_thread = measure_threads()?;
    println!("memory per waiting task:   {per_task:>6} bytes");
    println!("memory per waiting thread: {per_thread:>6} bytes");
    println!(
        "a waiting thread costs about {}x a waiting task",
        per_thread / per_task.max(1)
    );
    Ok(())
}
// ANCHOR_END: main
