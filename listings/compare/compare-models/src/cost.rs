//! What one unit costs: time to start and finish it, memory while alive.

use super::*;

pub struct Row {
    pub unit: &'static str,
    pub spawns: usize,
    /// Average time to spawn one and wait for it to finish.
    pub spawn_join: Duration,
    /// Resident memory each one adds while alive, if measured.
    pub memory_bytes: Option<i64>,
    pub alive: usize,
    /// For processes, the proportional set size (shared pages divided
    /// among the processes that share them).
    pub pss_bytes: Option<i64>,
}

impl Row {
    pub fn to_json(&self) -> Value {
        json!({
            "unit": self.unit,
            "spawns": self.spawns,
            "spawn_join_us": self.spawn_join.as_secs_f64() * 1e6,
            "memory_bytes": self.memory_bytes,
            "alive": self.alive,
            "pss_bytes": self.pss_bytes,
        })
    }
}

fn average(total: Duration, count: usize) -> Duration {
    total / count.max(1) as u32
}

// ANCHOR: cost
/// Resident memory of this process, from /proc/self/status.
fn resident_bytes() -> Result<i64, String> {
    limits::status_field("/proc/self/status", "VmRSS:").map(|kib| kib * 1024)
}

/// Memory added by `count` sleeping threads, per thread.
fn thread_memory(count: usize) -> Result<i64, String> {
    let started = Barrier::new(count + 1);
    let release = Barrier::new(count + 1);
    let before = resident_bytes()?;
    thread::scope(|scope| {
        for _ in 0..count {
            scope.spawn(|| {
                started.wait();
                release.wait();
            });
        }
        started.wait(); // every thread is alive and waiting now
        let during = resident_bytes();
        release.wait();
        Ok((during? - before) / count as i64)
    })
}

/// Memory added by `count` waiting tokio tasks, per task.
fn task_memory(count: usize, runtime: &Runtime) -> Result<i64, String> {
    runtime.block_on(async {
        let (release, released) = tokio::sync::watch::channel(false);
        let before = resident_bytes()?;
        let mut set = JoinSet::new();
        for _ in 0..count {
            let mut released = released.clone();
            set.spawn(async move { released.changed().await.map_err(|e| e.to_string()) });
        }
        let during = resident_bytes()?;
        release.send(true).map_err(|e| e.to_string())?;
        join_all(set).await?;
        Ok((during - before) / count as i64)
    })
}
// ANCHOR_END: cost

/// Resident and proportional memory of live worker processes, each.
fn process_memory(count: usize) -> Result<(i64, i64), String> {
    let mut workers = Vec::new();
    for _ in 0..count {
        let mut worker = worker::Worker::start()?;
        worker.send("ready")?;
        worker.reply()?; // it is up and idle
        workers.push(worker);
    }
    let (mut rss, mut pss) = (0, 0);
    for worker in &workers {
        let pid = worker.pid();
        rss += limits::status_field(&format!("/proc/{pid}/status"), "VmRSS:")? * 1024;
        pss += limits::status_field(&format!("/proc/{pid}/smaps_rollup"), "Pss:")? * 1024;
    }
    for worker in workers {
        worker.finish()?;
    }
    Ok((rss / count as i64, pss / count as i64))
}

fn time_spawns(
    count: usize,
    mut spawn_and_join: impl FnMut() -> Result<(), String>,
) -> Result<Duration, String> {
    let started = Instant::now();
    for _ in 0..count {
        spawn_and_join()?;
    }
    Ok(average(started.elapsed(), count))
}

pub fn measure(settings: &Settings, runtimes: &Runtimes) -> Result<Vec<Row>, String> {
    let s = settings;
    s.progress("cost: threads");
    let thread_spawn = time_spawns(s.thread_spawns, || {
        thread::spawn(|| ())
            .join()
            .map_err(|_| "a thread panicked".to_string())
    })?;
    let thread_memory = thread_memory(s.threads_alive)?;

    s.progress("cost: processes");
    let exe = env::current_exe().map_err(|e| e.to_string())?;
    let process_spawn = time_spawns(s.process_spawns, || {
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
    let (process_rss, process_pss) = process_memory(s.processes_alive)?;

    s.progress("cost: tokio tasks");
    let runtime = &runtimes.multi_thread;
    // Spawned from inside a task, as tasks usually are: the new task goes
    // to this worker's own queue, with no other thread to wake.
    let task_spawns = s.task_spawns;
    let task_spawn = runtime.block_on(async move {
        let timing = tokio::spawn(async move {
            let started = Instant::now();
            for _ in 0..task_spawns {
                tokio::spawn(async {}).await.map_err(|e| e.to_string())?;
            }
            Ok::<_, String>(average(started.elapsed(), task_spawns))
        });
        timing.await.map_err(|e| e.to_string())?
    })?;
    let task_memory = task_memory(s.tasks_alive, runtime)?;

    s.progress("cost: spawn_blocking and rayon jobs");
    let blocking_spawn = runtime.block_on(async {
        let started = Instant::now();
        for _ in 0..s.thread_spawns {
            tokio::task::spawn_blocking(|| ())
                .await
                .map_err(|e| e.to_string())?;
        }
        Ok::<_, String>(average(started.elapsed(), s.thread_spawns))
    })?;
    let rayon_spawn = time_spawns(s.thread_spawns, || {
        rayon::scope(|scope| scope.spawn(|_| ()));
        Ok(())
    })?;

    let row = |unit, spawns, spawn_join, memory_bytes, alive| Row {
        unit,
        spawns,
        spawn_join,
        memory_bytes,
        alive,
        pss_bytes: None,
    };
    Ok(vec![
        row(
            "thread",
            s.thread_spawns,
            thread_spawn,
            Some(thread_memory),
            s.threads_alive,
        ),
        Row {
            pss_bytes: Some(process_pss),
            ..row(
                "process",
                s.process_spawns,
                process_spawn,
                Some(process_rss),
                s.processes_alive,
            )
        },
        row(
            "tokio task",
            s.task_spawns,
            task_spawn,
            Some(task_memory),
            s.tasks_alive,
        ),
        row(
            "spawn_blocking call",
            s.thread_spawns,
            blocking_spawn,
            None,
            0,
        ),
        row("rayon job", s.thread_spawns, rayon_spawn, None, 0),
    ])
}
