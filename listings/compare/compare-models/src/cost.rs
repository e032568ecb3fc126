//! What one unit costs: time to start and finish it, memory while alive.

use super::*;

/// The units measured, in the order of the table.
pub const UNITS: [&str; 5] = [
    "thread",
    "process",
    "tokio task",
    "spawn_blocking call",
    "rayon job",
];

pub struct Row {
    pub unit: &'static str,
    /// Spawn-and-join repetitions that each sample averages over.
    pub spawns: usize,
    /// Average time to spawn one and wait for it to finish, in µs.
    pub spawn_join: Spread,
    /// Units alive at once while the memory is measured (0: not measured).
    pub alive: usize,
    /// The memory one adds while alive, in bytes (see `footprint`).
    pub memory: Option<Spread>,
}

impl Row {
    pub fn to_result(&self) -> results::CostRow {
        results::CostRow {
            alive: self.alive as u64,
            memory: self.memory.as_ref().map(Spread::bytes),
            spawn_join: self.spawn_join.micros(),
            spawns: self.spawns as u64,
            unit: self.unit.to_string(),
        }
    }
}

/// The memory metric of the processes chapter ("What a process costs"), in
/// bytes: the proportional set size (PSS) of this process and of
/// `children`, their page tables (VmPTE), and the kernel stacks of every
/// task on the machine (KernelStack, system-wide).
fn footprint(children: &[u32]) -> Result<f64, String> {
    let mut kib = limits::status_field("/proc/self/smaps_rollup", "Pss:")?
        + limits::status_field("/proc/self/status", "VmPTE:")?;
    for pid in children {
        kib += limits::status_field(&format!("/proc/{pid}/smaps_rollup"), "Pss:")?;
        kib += limits::status_field(&format!("/proc/{pid}/status"), "VmPTE:")?;
    }
    kib += limits::status_field("/proc/meminfo", "KernelStack:")?;
    Ok(kib as f64 * 1024.0)
}

/// Memory added by `count` sleeping threads, per thread.
pub fn thread_memory(count: usize) -> Result<f64, String> {
    let started = Barrier::new(count + 1);
    let release = Barrier::new(count + 1);
    let before = footprint(&[])?;
    thread::scope(|scope| {
        for _ in 0..count {
            scope.spawn(|| {
                started.wait();
                release.wait();
            });
        }
        started.wait(); // every thread is alive and waiting now
        let during = footprint(&[]);
        release.wait();
        Ok((during? - before) / count as f64)
    })
}

/// Memory added by `count` waiting tokio tasks, per task.
pub fn task_memory(count: usize, runtime: &Runtime) -> Result<f64, String> {
    runtime.block_on(async {
        let (release, released) = tokio::sync::watch::channel(false);
        let before = footprint(&[])?;
        let mut set = JoinSet::new();
        for _ in 0..count {
            let mut released = released.clone();
            set.spawn(async move { released.changed().await.map_err(|e| e.to_string()) });
        }
        let during = footprint(&[])?;
        release.send(true).map_err(|e| e.to_string())?;
        join_all(set).await?;
        Ok((during - before) / count as f64)
    })
}

/// One memory sample of threads or tasks, taken in a new worker process:
/// in this one, the allocator keeps the memory an earlier sample freed and
/// hands it out again, so that the next sample would see little growth.
fn in_new_process(command: &str) -> Result<f64, String> {
    let reply = worker::Worker::start_with(command)?.finish()?;
    reply
        .parse()
        .map_err(|_| format!("a worker process answered {reply:?}"))
}

/// Memory added by `count` idle worker processes, per process.
fn process_memory(count: usize) -> Result<f64, String> {
    let before = footprint(&[])?;
    let mut workers = Vec::new();
    for _ in 0..count {
        workers.push(worker::Worker::start_ready()?);
    }
    let pids: Vec<u32> = workers.iter().map(worker::Worker::pid).collect();
    let during = footprint(&pids);
    for worker in workers {
        worker.close()?;
    }
    Ok((during? - before) / count as f64)
}

/// The average time of one `spawn_and_join`, in µs, over `count` of them.
fn time_spawns(
    count: usize,
    mut spawn_and_join: impl FnMut() -> Result<(), String>,
) -> Result<f64, String> {
    let started = Instant::now();
    for _ in 0..count {
        spawn_and_join()?;
    }
    Ok(started.elapsed().as_secs_f64() * 1e6 / count.max(1) as f64)
}

/// One sample of `unit`: its spawn-and-join time, and its memory if it has
/// a memory of its own. Runtimes are built before the clock starts.
fn sample(settings: &Settings, cores: usize, unit: &str) -> Result<(f64, Option<f64>), String> {
    let s = settings;
    match unit {
        "thread" => {
            let spawn = time_spawns(s.thread_spawns, || {
                thread::spawn(|| ())
                    .join()
                    .map_err(|_| "a thread panicked".to_string())
            })?;
            let memory = in_new_process(&format!("thread-memory {}", s.threads_alive))?;
            Ok((spawn, Some(memory)))
        }
        "process" => {
            let exe = env::current_exe().map_err(|e| e.to_string())?;
            let spawn = time_spawns(s.process_spawns, || {
                // With stdin closed, a worker exits at once.
                let status = Command::new(&exe)
                    .env(ROLE_VARIABLE, "worker")
                    .stdin(Stdio::null())
                    .status()
                    .map_err(|e| format!("cannot start a worker process: {e}"))?;
                status
                    .success()
                    .then_some(())
                    .ok_or(format!("a worker ended with {status}"))
            })?;
            Ok((spawn, Some(process_memory(s.processes_alive)?)))
        }
        "tokio task" => {
            let runtimes = Runtimes::new(cores)?;
            let runtime = &runtimes.multi_thread;
            // Spawned from inside a task, as tasks usually are: the new task
            // goes to this worker's own queue, with no other thread to wake.
            let spawns = s.task_spawns;
            let spawn = runtime.block_on(async move {
                let timing = tokio::spawn(async move {
                    let started = Instant::now();
                    for _ in 0..spawns {
                        tokio::spawn(async {}).await.map_err(|e| e.to_string())?;
                    }
                    Ok::<_, String>(started.elapsed().as_secs_f64() * 1e6 / spawns as f64)
                });
                timing.await.map_err(|e| e.to_string())?
            })?;
            let command = format!("task-memory {} {cores}", s.tasks_alive);
            Ok((spawn, Some(in_new_process(&command)?)))
        }
        "spawn_blocking call" => {
            let runtimes = Runtimes::new(cores)?;
            let spawn = runtimes.multi_thread.block_on(async {
                let started = Instant::now();
                for _ in 0..s.thread_spawns {
                    tokio::task::spawn_blocking(|| ())
                        .await
                        .map_err(|e| e.to_string())?;
                }
                Ok::<_, String>(started.elapsed().as_secs_f64() * 1e6 / s.thread_spawns as f64)
            })?;
            Ok((spawn, None))
        }
        _ => {
            let runtimes = Runtimes::new(cores)?;
            // Timed on a pool thread, as rayon's jobs usually start: from
            // the main thread, each scope would be a call into the pool
            // (inject the job, wake a pool thread, wait on a latch).
            let spawns = s.task_spawns;
            let spawn = runtimes.rayon.install(|| {
                let started = Instant::now();
                for _ in 0..spawns {
                    rayon::scope(|scope| scope.spawn(|_| ()));
                }
                started.elapsed().as_secs_f64() * 1e6 / spawns as f64
            });
            Ok((spawn, None))
        }
    }
}

pub fn measure(settings: &Settings, cores: usize) -> Result<Vec<Row>, String> {
    let s = settings;
    let mut rows: Vec<Row> = UNITS
        .into_iter()
        .map(|unit| {
            let (spawns, alive) = match unit {
                "thread" => (s.thread_spawns, s.threads_alive),
                "process" => (s.process_spawns, s.processes_alive),
                "tokio task" => (s.task_spawns, s.tasks_alive),
                "rayon job" => (s.task_spawns, 0),
                _ => (s.thread_spawns, 0),
            };
            Row {
                unit,
                spawns,
                spawn_join: Spread::default(),
                alive,
                memory: (alive > 0).then(Spread::default),
            }
        })
        .collect();
    for repetition in 0..s.repetitions {
        for unit in order(&UNITS, repetition) {
            s.progress(&format!(
                "cost: {unit}: sample {} of {}",
                repetition + 1,
                s.repetitions
            ));
            let (spawn, memory) = sample(s, cores, unit)?;
            models::record("cost", repetition, unit);
            let row = rows
                .iter_mut()
                .find(|r| r.unit == unit)
                .expect("a row per unit");
            row.spawn_join.push(spawn);
            if let (Some(spread), Some(bytes)) = (&mut row.memory, memory) {
                spread.push(bytes);
            }
        }
    }
    Ok(rows)
}
