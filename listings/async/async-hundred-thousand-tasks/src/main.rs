// Linux only: the figures come from /proc.
#[cfg(target_os = "linux")]
use {
    std::error::Error,
    std::sync::{Arc, Barrier},
    std::thread,
    std::time::Instant,
    tokio::sync::{Semaphore, watch},
    tokio::task::JoinSet,
};

#[cfg(target_os = "linux")]
const DEFAULT_TASKS: usize = 100_000;
#[cfg(target_os = "linux")]
const THREADS: usize = 1_000;

/// The number of tasks: the first argument, if any (try 1000000).
#[cfg(target_os = "linux")]
fn task_count() -> Result<usize, String> {
    match std::env::args().nth(1) {
        None => Ok(DEFAULT_TASKS),
        Some(arg) => arg.parse().ok().filter(|&tasks| tasks > 0).ok_or(format!(
            "usage: async-hundred-thousand-tasks [TASKS], TASKS > 0; got {arg:?}"
        )),
    }
}

/// The measure of memory that processes/cost.md defines (Linux only), in its
/// three parts: this process's proportional set size (PSS), its page tables
/// (VmPTE), and the kernel stacks of the whole machine (one per thread).
#[cfg(target_os = "linux")]
#[derive(Clone, Copy)]
struct Memory {
    pss: u64,
    page_tables: u64,
    kernel_stacks: u64,
}

#[cfg(target_os = "linux")]
impl Memory {
    fn now() -> Result<Memory, Box<dyn Error>> {
        let rollup = std::fs::read_to_string("/proc/self/smaps_rollup")?;
        let status = std::fs::read_to_string("/proc/self/status")?;
        let meminfo = std::fs::read_to_string("/proc/meminfo")?;
        Ok(Memory {
            pss: kib_field(&rollup, "Pss:")? * 1024,
            page_tables: kib_field(&status, "VmPTE:")? * 1024,
            kernel_stacks: kib_field(&meminfo, "KernelStack:")? * 1024,
        })
    }

    /// The growth since `before`, divided among `units`.
    fn per_unit(self, before: Memory, units: u64) -> Memory {
        let share = |now: u64, then: u64| now.saturating_sub(then) / units;
        Memory {
            pss: share(self.pss, before.pss),
            page_tables: share(self.page_tables, before.page_tables),
            kernel_stacks: share(self.kernel_stacks, before.kernel_stacks),
        }
    }

    fn total(self) -> u64 {
        self.pss + self.page_tables + self.kernel_stacks
    }
}

/// The number of KiB on the line that starts with `name`.
#[cfg(target_os = "linux")]
fn kib_field(text: &str, name: &str) -> Result<u64, Box<dyn Error>> {
    let line = text
        .lines()
        .find(|l| l.starts_with(name))
        .ok_or(format!("no {name} line"))?;
    let kib = line.split_whitespace().nth(1).ok_or("empty line")?;
    Ok(kib.parse()?)
}

// ANCHOR: tasks
/// Starts `tasks` tasks that all wait for one signal; returns the memory per task.
#[cfg(target_os = "linux")]
async fn measure_tasks(tasks: usize) -> Result<Memory, Box<dyn Error>> {
    let before = Memory::now()?;
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
    let during = Memory::now()?;
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
    Ok(during.per_unit(before, tasks as u64))
}
// ANCHOR_END: tasks

/// Starts THREADS threads that all wait at a barrier; returns the memory per thread.
#[cfg(target_os = "linux")]
fn measure_threads() -> Result<Memory, Box<dyn Error>> {
    let before = Memory::now()?;
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
    let during = Memory::now()?;
    go.wait();
    for thread in threads {
        thread.join().map_err(|_| "a thread panicked")?;
    }
    println!("{THREADS} threads started, waited and finished");
    Ok(during.per_unit(before, THREADS as u64))
}

#[cfg(target_os = "linux")]
fn main() -> Result<(), Box<dyn Error>> {
    let tasks = match task_count() {
        Ok(tasks) => tasks,
        Err(usage) => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    };
    // What #[tokio::main] would build: a multi-thread runtime.
    let runtime = tokio::runtime::Runtime::new()?;
    let per_task = runtime.block_on(measure_tasks(tasks))?;
    let per_thread = measure_threads()?;
    for (unit, memory) in [("task", per_task), ("thread", per_thread)] {
        println!(
            "memory per waiting {unit:<6} {:>6} bytes (PSS {}, page tables {}, kernel stack {})",
            memory.total(),
            memory.pss,
            memory.page_tables,
            memory.kernel_stacks
        );
    }
    println!(
        "a waiting thread costs about {}x a waiting task",
        per_thread.total() / per_task.total().max(1)
    );
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn main() {
    println!("async-hundred-thousand-tasks runs on Linux only: it reads /proc");
}
