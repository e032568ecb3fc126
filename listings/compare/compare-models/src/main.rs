//! The same workloads under every concurrency model, measured side by side.
//!
//! * `compare-models` runs a quick version (small sizes, one repetition) and
//!   prints a table: it checks every answer, but its timings mean little.
//! * `compare-models --full [--out DIR]` runs the real suite (use a release
//!   build), prints progress on stderr, and writes `DIR/results.json` and the
//!   SVG charts (DIR defaults to `compare-results`). When `python3` is on the
//!   PATH it also runs `python/bench.py`, the same workloads in CPython.
//! * `compare-models --charts-from RESULTS.json --out DIR` draws the charts
//!   again from a results file: the same file always gives the same bytes.

use std::env;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitCode, Stdio};
use std::sync::Barrier;
use std::thread;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
use tokio::runtime::Runtime;
use tokio::task::JoinSet;

/// A copy of this program started with this variable set to `worker` or
/// `echo-server` plays that role instead of running the benchmark.
const ROLE_VARIABLE: &str = "COMPARE_MODELS_ROLE";

// ANCHOR: models
/// The ways of running work concurrently that the benchmark compares.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Model {
    /// One thing after another on the main thread: the baseline.
    Sequential,
    /// One scoped OS thread per piece of work (`thread::scope`).
    Threads,
    /// rayon's global pool: one thread per core, work queued onto them.
    RayonPool,
    /// One child process per piece of work: this program started again.
    Processes,
    /// tokio tasks on the multi-threaded runtime (one worker per core).
    TokioTasks,
    /// tokio tasks on a single-threaded runtime, like Python's asyncio.
    TokioCurrentThread,
    /// `spawn_blocking`: tokio's pool of threads for blocking calls.
    SpawnBlocking,
}
// ANCHOR_END: models

impl Model {
    const ALL: [Model; 7] = [
        Model::Sequential,
        Model::Threads,
        Model::RayonPool,
        Model::Processes,
        Model::TokioTasks,
        Model::TokioCurrentThread,
        Model::SpawnBlocking,
    ];

    fn name(self) -> &'static str {
        match self {
            Model::Sequential => "sequential",
            Model::Threads => "threads",
            Model::RayonPool => "rayon-pool",
            Model::Processes => "processes",
            Model::TokioTasks => "tokio-tasks",
            Model::TokioCurrentThread => "tokio-current-thread",
            Model::SpawnBlocking => "spawn-blocking",
        }
    }
}

/// The sizes of one run: small for the quick run, real for `--full`.
struct Settings {
    full: bool,
    /// Count the primes below this number...
    prime_limit: u64,
    /// ...and expect this many (the known value of pi(prime_limit)).
    primes_expected: usize,
    cpu_repetitions: usize,
    /// How many waits run at once, for each I/O measurement.
    io_counts: Vec<usize>,
    /// The length of one wait: a timer, or the echo server's delay.
    wait: Duration,
    /// A model that would need longer than this, doing its waits a few at a
    /// time (sequential, the small pool), is skipped, with the reason.
    io_budget: Duration,
    /// Spawn-and-join repetitions for threads, processes and tasks.
    thread_spawns: usize,
    process_spawns: usize,
    task_spawns: usize,
    /// How many threads, processes and tasks are alive at once when the
    /// memory per unit is measured.
    threads_alive: usize,
    processes_alive: usize,
    tasks_alive: usize,
}

impl Settings {
    fn quick() -> Settings {
        Settings {
            full: false,
            prime_limit: 200_000,
            primes_expected: 17_984,
            cpu_repetitions: 1,
            io_counts: vec![32],
            wait: Duration::from_millis(10),
            io_budget: Duration::from_secs(1),
            thread_spawns: 200,
            process_spawns: 10,
            task_spawns: 2_000,
            threads_alive: 100,
            processes_alive: 4,
            tasks_alive: 2_000,
        }
    }

    fn full() -> Settings {
        Settings {
            full: true,
            prime_limit: 1_000_000,
            primes_expected: 78_498,
            cpu_repetitions: 3,
            io_counts: vec![100, 1_000, 10_000],
            wait: Duration::from_millis(100),
            io_budget: Duration::from_secs(10),
            thread_spawns: 5_000,
            process_spawns: 300,
            task_spawns: 200_000,
            threads_alive: 2_000,
            processes_alive: 20,
            tasks_alive: 100_000,
        }
    }

    /// Progress for the full run, on stderr so that stdout stays the table.
    fn progress(&self, message: &str) {
        if self.full {
            eprintln!("[compare-models] {message}");
        }
    }
}

enum Mode {
    Quick,
    Full { out: PathBuf },
    ChartsFrom { results: PathBuf, out: PathBuf },
}

const USAGE: &str =
    "usage: compare-models [--full [--out DIR]] | [--charts-from RESULTS.json --out DIR]";

fn parse_args(args: &[String]) -> Result<Mode, String> {
    let mut full = false;
    let mut out = None;
    let mut charts_from = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--full" => full = true,
            "--out" | "--charts-from" => {
                let value = args
                    .next()
                    .ok_or_else(|| format!("{arg} needs a value; {USAGE}"))?;
                if arg == "--out" {
                    out = Some(PathBuf::from(value));
                } else {
                    charts_from = Some(PathBuf::from(value));
                }
            }
            other => return Err(format!("unknown argument `{other}`; {USAGE}")),
        }
    }
    match (full, charts_from, out) {
        (true, Some(_), _) => Err(format!("--full and --charts-from do not mix; {USAGE}")),
        (false, Some(results), Some(out)) => Ok(Mode::ChartsFrom { results, out }),
        (false, Some(_), None) => Err(format!("--charts-from needs --out DIR; {USAGE}")),
        (true, None, out) => Ok(Mode::Full {
            out: out.unwrap_or_else(|| PathBuf::from("compare-results")),
        }),
        (false, None, Some(_)) => Err(format!("--out needs --full or --charts-from; {USAGE}")),
        (false, None, None) => Ok(Mode::Quick),
    }
}

fn main() -> ExitCode {
    match env::var(ROLE_VARIABLE).as_deref() {
        Ok("worker") => return worker::main(),
        Ok("echo-server") => return echo::server_main(),
        _ => {}
    }
    let args: Vec<String> = env::args().skip(1).collect();
    let mode = match parse_args(&args) {
        Ok(mode) => mode,
        Err(message) => {
            eprintln!("compare-models: {message}");
            return ExitCode::from(2);
        }
    };
    let outcome = match mode {
        Mode::Quick => run_benchmark(&Settings::quick(), None),
        Mode::Full { out } => {
            if cfg!(debug_assertions) {
                eprintln!("compare-models: warning: a debug build; measure with --release");
            }
            // Fail now, not after minutes of measuring.
            std::fs::create_dir_all(&out)
                .map_err(|e| format!("cannot create {}: {e}", out.display()))
                .and_then(|()| run_benchmark(&Settings::full(), Some(&out)))
        }
        Mode::ChartsFrom { results, out } => charts_from(&results, &out),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("compare-models: error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn charts_from(results: &Path, out: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(results)
        .map_err(|e| format!("cannot read {}: {e}", results.display()))?;
    let results: Value = serde_json::from_str(&text)
        .map_err(|e| format!("{} is not JSON: {e}", results.display()))?;
    for name in chart::write_all(&results, out)? {
        println!("wrote {}", out.join(name).display());
    }
    Ok(())
}

fn run_benchmark(settings: &Settings, out: Option<&Path>) -> Result<(), String> {
    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    let runtimes = Runtimes::new(cores)?;
    // rayon starts its pool on first use: not what we measure.
    rayon::broadcast(|_| ());
    let machine = machine::describe(cores, settings.full);
    if settings.full {
        let cpu = machine["cpu"].as_str().unwrap_or("unknown CPU");
        println!("compare-models: full run on {cores} cores ({cpu})");
    } else {
        println!(
            "compare-models: quick run on {cores} cores; \
             `cargo run --release -p compare-models -- --full` measures for real"
        );
    }

    let cpu_rows = cpu::measure(settings, cores, &runtimes)?;
    report::print_cpu(settings, cores, &cpu_rows);

    let cost_rows = cost::measure(settings, &runtimes)?;
    let process_rss = cost_rows
        .iter()
        .find(|row| row.unit == "process")
        .and_then(|row| row.memory_bytes)
        .unwrap_or(0);
    let limits = limits::Limits::read(process_rss);
    println!("limits: {}", limits.summary());

    let io_rows = io::measure(settings, cores, &runtimes, &limits)?;
    report::print_io(settings, &io_rows);
    report::print_cost(&cost_rows);
    println!(
        "every answer checked: {} primes each time, every echo matched",
        settings.primes_expected
    );

    let Some(out) = out else { return Ok(()) };
    let python = python::run(settings, &limits);
    let results = json!({
        "format": 1,
        "command": "cargo run --release -p compare-models -- --full",
        "machine": machine,
        "settings": {
            "prime_limit": settings.prime_limit,
            "primes_expected": settings.primes_expected,
            "cpu_repetitions": settings.cpu_repetitions,
            "io_counts": settings.io_counts,
            "wait_ms": settings.wait.as_millis() as u64,
            "io_budget_s": settings.io_budget.as_secs(),
        },
        "limits": limits.to_json(),
        "cpu": cpu_rows.iter().map(cpu::Row::to_json).collect::<Vec<_>>(),
        "io": io_rows.iter().map(io::Row::to_json).collect::<Vec<_>>(),
        "cost": cost_rows.iter().map(cost::Row::to_json).collect::<Vec<_>>(),
        "python": python,
    });
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let text = serde_json::to_string_pretty(&results).expect("JSON values always serialize") + "\n";
    let file = out.join("results.json");
    std::fs::write(&file, &text).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    println!("wrote {}", file.display());
    // Draw from the file's own text, exactly as --charts-from would.
    let reread: Value = serde_json::from_str(&text).expect("we just wrote this JSON");
    for name in chart::write_all(&reread, out)? {
        println!("wrote {}", out.join(name).display());
    }
    Ok(())
}

/// The two tokio runtimes, built once: building one is not what we measure.
struct Runtimes {
    multi_thread: Runtime,
    current_thread: Runtime,
}

impl Runtimes {
    fn new(cores: usize) -> Result<Runtimes, String> {
        let multi_thread = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(cores)
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the tokio runtime: {e}"))?;
        let current_thread = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the tokio runtime: {e}"))?;
        Ok(Runtimes {
            multi_thread,
            current_thread,
        })
    }

    /// The runtime a tokio model runs on: several worker threads, or one.
    fn for_model(&self, model: Model) -> &Runtime {
        if model == Model::TokioCurrentThread {
            &self.current_thread
        } else {
            &self.multi_thread
        }
    }
}

/// Waits for every task of a JoinSet; a task that panicked is an error.
async fn join_all<T: 'static>(mut set: JoinSet<Result<T, String>>) -> Result<Vec<T>, String> {
    let mut results = Vec::with_capacity(set.len());
    while let Some(joined) = set.join_next().await {
        results.push(joined.map_err(|e| format!("a task failed: {e}"))??);
    }
    Ok(results)
}

mod cpu {
    //! CPU-bound: count the primes below a limit by trial division.

    use super::*;

    /// Numbers are dealt to the workers in blocks of this many, round robin,
    /// so that each gets as many large (expensive) numbers as the others.
    const BLOCK: u64 = 1_000;

    fn is_prime(n: u64) -> bool {
        if n < 2 {
            return false;
        }
        let mut divisor = 2;
        while divisor * divisor <= n {
            if n.is_multiple_of(divisor) {
                return false;
            }
            divisor += 1;
        }
        true
    }

    pub fn count_block(block: u64, limit: u64) -> usize {
        let start = block * BLOCK;
        (start..(start + BLOCK).min(limit))
            .filter(|&n| is_prime(n))
            .count()
    }

    /// The primes in worker `worker`'s share: blocks worker, worker +
    /// workers, worker + 2 * workers...
    pub fn count_share(worker: u64, workers: u64, limit: u64) -> usize {
        (worker..limit.div_ceil(BLOCK))
            .step_by(workers as usize)
            .map(|block| count_block(block, limit))
            .sum()
    }

    // ANCHOR: cpu
    /// Counts the primes below `limit` with `workers` workers of `model`.
    fn count_primes(
        model: Model,
        workers: u64,
        limit: u64,
        runtimes: &Runtimes,
    ) -> Result<usize, String> {
        let share = move |worker| count_share(worker, workers, limit);
        match model {
            Model::Sequential => Ok(count_share(0, 1, limit)),
            Model::Threads => thread::scope(|scope| {
                let handles: Vec<_> = (0..workers)
                    .map(|worker| scope.spawn(move || share(worker)))
                    .collect();
                let counts = handles.into_iter().map(|handle| handle.join());
                counts
                    .sum::<Result<usize, _>>()
                    .map_err(|_| "a thread panicked".to_string())
            }),
            // rayon splits the blocks among its threads and steals as they go.
            Model::RayonPool => Ok((0..limit.div_ceil(BLOCK))
                .into_par_iter()
                .map(|block| count_block(block, limit))
                .sum()),
            Model::Processes => {
                let children = (0..workers)
                    .map(|worker| {
                        worker::Worker::start_with(&format!("primes {worker} {workers} {limit}"))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                let mut total = 0;
                for child in children {
                    let reply = child.finish()?;
                    total += reply
                        .parse::<usize>()
                        .map_err(|_| format!("a worker process answered {reply:?}"))?;
                }
                Ok(total)
            }
            // Plain async tasks that compute without ever awaiting: they run
            // in parallel only if the runtime has several worker threads.
            Model::TokioTasks | Model::TokioCurrentThread => {
                runtimes.for_model(model).block_on(async {
                    let mut set = JoinSet::new();
                    for worker in 0..workers {
                        set.spawn(async move { Ok(share(worker)) });
                    }
                    Ok(join_all(set).await?.into_iter().sum())
                })
            }
            Model::SpawnBlocking => runtimes.multi_thread.block_on(async {
                let mut set = JoinSet::new();
                for worker in 0..workers {
                    set.spawn_blocking(move || Ok(share(worker)));
                }
                Ok(join_all(set).await?.into_iter().sum())
            }),
        }
    }
    // ANCHOR_END: cpu

    pub struct Row {
        pub model: Model,
        pub workers: u64,
        pub samples: Vec<Duration>,
        pub primes: usize,
        /// The median sample.
        pub time: Duration,
        /// Sequential time over this model's time.
        pub speedup: f64,
    }

    impl Row {
        pub fn to_json(&self) -> Value {
            json!({
                "model": self.model.name(),
                "workers": self.workers,
                "primes": self.primes,
                "seconds": self.time.as_secs_f64(),
                "samples_s": self.samples.iter().map(Duration::as_secs_f64).collect::<Vec<_>>(),
                "speedup": self.speedup,
            })
        }
    }

    pub fn measure(
        settings: &Settings,
        cores: usize,
        runtimes: &Runtimes,
    ) -> Result<Vec<Row>, String> {
        let mut rows: Vec<Row> = Vec::new();
        // One unmeasured run first: the first pass over the numbers pays for
        // cold caches and a CPU still clocking up.
        count_primes(Model::Sequential, 1, settings.prime_limit, runtimes)?;
        for model in Model::ALL {
            let workers = if model == Model::Sequential {
                1
            } else {
                cores as u64
            };
            let mut samples = Vec::new();
            for repetition in 1..=settings.cpu_repetitions {
                settings.progress(&format!(
                    "CPU-bound, {}: run {repetition} of {}",
                    model.name(),
                    settings.cpu_repetitions
                ));
                let started = Instant::now();
                let primes = count_primes(model, workers, settings.prime_limit, runtimes)?;
                samples.push(started.elapsed());
                // The answer is known: a wrong count is a bug, not a result.
                if primes != settings.primes_expected {
                    return Err(format!(
                        "{} counted {primes} primes below {}, but there are {}",
                        model.name(),
                        settings.prime_limit,
                        settings.primes_expected
                    ));
                }
            }
            let mut sorted = samples.clone();
            sorted.sort();
            let time = sorted[sorted.len() / 2];
            let baseline = rows.first().map_or(time, |row| row.time);
            rows.push(Row {
                model,
                workers,
                samples,
                primes: settings.primes_expected,
                time,
                speedup: baseline.as_secs_f64() / time.as_secs_f64(),
            });
        }
        Ok(rows)
    }
}

mod io {
    //! I/O-bound: many waits at once, on a timer or on a slow echo server.

    use super::*;

    #[derive(Clone, Copy)]
    pub enum Wait {
        /// Sleep on a timer.
        Sleep,
        /// One request to the echo server, which answers after the delay.
        Request { port: u16 },
    }

    impl Wait {
        pub fn name(self) -> &'static str {
            match self {
                Wait::Sleep => "sleep",
                Wait::Request { .. } => "tcp",
            }
        }
    }

    /// Wait number `id`, blocking the calling thread.
    pub fn wait_blocking(kind: Wait, id: usize, wait: Duration) -> Result<(), String> {
        match kind {
            Wait::Sleep => {
                thread::sleep(wait);
                Ok(())
            }
            Wait::Request { port } => {
                let request = echo::request_line(id, wait);
                let mut stream = TcpStream::connect(("127.0.0.1", port))
                    .map_err(|e| format!("request {id}: cannot connect: {e}"))?;
                stream
                    .write_all(request.as_bytes())
                    .map_err(|e| format!("request {id}: cannot send: {e}"))?;
                let mut reply = String::new();
                BufReader::new(stream)
                    .read_line(&mut reply)
                    .map_err(|e| format!("request {id}: no answer: {e}"))?;
                echo::check_reply(&request, &reply)
            }
        }
    }

    /// Wait number `id`, yielding to the runtime while it waits.
    pub async fn wait_async(kind: Wait, id: usize, wait: Duration) -> Result<(), String> {
        match kind {
            Wait::Sleep => {
                tokio::time::sleep(wait).await;
                Ok(())
            }
            Wait::Request { port } => {
                let request = echo::request_line(id, wait);
                let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
                    .await
                    .map_err(|e| format!("request {id}: cannot connect: {e}"))?;
                stream
                    .write_all(request.as_bytes())
                    .await
                    .map_err(|e| format!("request {id}: cannot send: {e}"))?;
                let mut reply = String::new();
                tokio::io::BufReader::new(stream)
                    .read_line(&mut reply)
                    .await
                    .map_err(|e| format!("request {id}: no answer: {e}"))?;
                echo::check_reply(&request, &reply)
            }
        }
    }

    // ANCHOR: io
    /// Runs `count` waits at once (as far as `model` allows).
    fn run_waits(
        model: Model,
        kind: Wait,
        count: usize,
        wait: Duration,
        runtimes: &Runtimes,
    ) -> Result<(), String> {
        match model {
            Model::Sequential => (0..count).try_for_each(|id| wait_blocking(kind, id, wait)),
            Model::Threads => thread::scope(|scope| {
                let mut handles = Vec::with_capacity(count);
                for id in 0..count {
                    let handle = thread::Builder::new()
                        .spawn_scoped(scope, move || wait_blocking(kind, id, wait))
                        .map_err(|e| format!("cannot start thread {id}: {e}"))?;
                    handles.push(handle);
                }
                for handle in handles {
                    handle
                        .join()
                        .map_err(|_| "a thread panicked".to_string())??;
                }
                Ok(())
            }),
            // Only as many waits at a time as the pool has threads.
            Model::RayonPool => (0..count)
                .into_par_iter()
                .try_for_each(|id| wait_blocking(kind, id, wait)),
            Model::Processes => {
                let command = |id| match kind {
                    Wait::Sleep => format!("sleep {}", wait.as_millis()),
                    Wait::Request { port } => format!("request {port} {id} {}", wait.as_millis()),
                };
                let children = (0..count)
                    .map(|id| worker::Worker::start_with(&command(id)))
                    .collect::<Result<Vec<_>, _>>()?;
                for child in children {
                    let reply = child.finish()?;
                    if reply != "done" {
                        return Err(format!("a worker process failed: {reply}"));
                    }
                }
                Ok(())
            }
            Model::TokioTasks | Model::TokioCurrentThread => {
                runtimes.for_model(model).block_on(async {
                    let mut set = JoinSet::new();
                    for id in 0..count {
                        set.spawn(wait_async(kind, id, wait));
                    }
                    join_all(set).await.map(drop)
                })
            }
            // Blocking calls on tokio's blocking pool (up to 512 threads).
            Model::SpawnBlocking => runtimes.multi_thread.block_on(async {
                let mut set = JoinSet::new();
                for id in 0..count {
                    set.spawn_blocking(move || wait_blocking(kind, id, wait));
                }
                join_all(set).await.map(drop)
            }),
        }
    }
    // ANCHOR_END: io

    pub struct Row {
        pub workload: &'static str,
        pub model: Model,
        /// The number of waits asked for...
        pub count: usize,
        /// ...and the number run: fewer where the system would refuse.
        pub ran: usize,
        /// None: skipped, for `note`.
        pub time: Option<Duration>,
        pub note: Option<String>,
    }

    impl Row {
        pub fn to_json(&self) -> Value {
            json!({
                "workload": self.workload,
                "model": self.model.name(),
                "n": self.count,
                "n_run": self.ran,
                "seconds": self.time.map(|t| t.as_secs_f64()),
                "note": self.note,
            })
        }
    }

    /// How many waits `model` may run at once, and why not more.
    fn plan(
        model: Model,
        kind: Wait,
        count: usize,
        settings: &Settings,
        cores: usize,
        limits: &limits::Limits,
    ) -> (usize, Option<String>) {
        // At most this many waits are in progress at a time.
        let at_once = match model {
            Model::Sequential => 1,
            Model::RayonPool => cores,
            Model::SpawnBlocking => limits::BLOCKING_THREADS,
            _ => count,
        };
        let rounds = count.div_ceil(at_once) as u32;
        if settings.wait * rounds > settings.io_budget {
            let reason = format!(
                "skipped: {at_once} at a time, {count} waits would take {} s",
                (settings.wait * rounds).as_secs()
            );
            return (0, Some(reason));
        }
        let cap = match (model, kind) {
            (Model::Threads, Wait::Sleep) => Some(&limits.threads),
            (Model::Threads, Wait::Request { .. }) => Some(limits.threads.min(&limits.sockets)),
            (Model::Processes, _) => Some(&limits.processes),
            (Model::TokioTasks | Model::TokioCurrentThread, Wait::Request { .. }) => {
                Some(&limits.sockets)
            }
            _ => None,
        };
        match cap {
            Some(cap) if cap.max < count => (
                cap.max,
                Some(format!("capped at {}: {}", cap.max, cap.reason)),
            ),
            _ => (count, None),
        }
    }

    pub fn measure(
        settings: &Settings,
        cores: usize,
        runtimes: &Runtimes,
        limits: &limits::Limits,
    ) -> Result<Vec<Row>, String> {
        let server = echo::EchoServer::start()?;
        let mut rows = Vec::new();
        for kind in [Wait::Sleep, Wait::Request { port: server.port }] {
            for &count in &settings.io_counts {
                for model in Model::ALL {
                    let (ran, note) = plan(model, kind, count, settings, cores, limits);
                    let time = if ran == 0 {
                        None
                    } else {
                        settings.progress(&format!(
                            "I/O-bound, {} x {ran}, {}",
                            kind.name(),
                            model.name()
                        ));
                        let started = Instant::now();
                        run_waits(model, kind, ran, settings.wait, runtimes)
                            .map_err(|e| format!("{} with {}: {e}", kind.name(), model.name()))?;
                        Some(started.elapsed())
                    };
                    rows.push(Row {
                        workload: kind.name(),
                        model,
                        count,
                        ran,
                        time,
                        note,
                    });
                }
            }
        }
        server.stop()?;
        Ok(rows)
    }
}

mod echo {
    //! A slow echo server, in a child process of its own (so that its
    //! sockets do not count against the client's limit on open files).

    use super::*;

    /// `wait 100 request 7`: the server sleeps 100 ms, then sends it back.
    pub fn request_line(id: usize, wait: Duration) -> String {
        format!("wait {} request {id}\n", wait.as_millis())
    }

    pub fn check_reply(request: &str, reply: &str) -> Result<(), String> {
        if reply == request {
            Ok(())
        } else {
            Err(format!(
                "wrong echo: sent {request:?}, the server answered {reply:?}"
            ))
        }
    }

    pub struct EchoServer {
        child: Child,
        pub port: u16,
    }

    impl EchoServer {
        pub fn start() -> Result<EchoServer, String> {
            let exe = env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
            let mut child = Command::new(exe)
                .env(ROLE_VARIABLE, "echo-server")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .map_err(|e| format!("cannot start the echo server: {e}"))?;
            let mut line = String::new();
            let stdout = child.stdout.take().expect("stdout is piped");
            BufReader::new(stdout)
                .read_line(&mut line)
                .map_err(|e| format!("the echo server said nothing: {e}"))?;
            let port = line
                .trim()
                .strip_prefix("listening on 127.0.0.1:")
                .and_then(|port| port.parse().ok());
            // Drop stops it again if it did not say where it listens.
            let server = EchoServer {
                child,
                port: port.unwrap_or(0),
            };
            match port {
                Some(_) => Ok(server),
                None => Err(format!("the echo server said {line:?}")),
            }
        }

        /// Closing its stdin tells the server to exit; then reap it.
        pub fn stop(mut self) -> Result<(), String> {
            drop(self.child.stdin.take());
            let status = self.child.wait().map_err(|e| e.to_string())?;
            if status.success() {
                Ok(())
            } else {
                Err(format!("the echo server ended with {status}"))
            }
        }
    }

    impl Drop for EchoServer {
        fn drop(&mut self) {
            // Still running only on an error path: do not leave it behind.
            if let Ok(None) = self.child.try_wait() {
                drop(self.child.stdin.take());
                let _ = self.child.kill();
                let _ = self.child.wait();
            }
        }
    }

    async fn serve(stream: tokio::net::TcpStream) -> std::io::Result<()> {
        let (reader, mut writer) = stream.into_split();
        let mut lines = tokio::io::BufReader::new(reader).lines();
        while let Some(line) = lines.next_line().await? {
            let delay = line
                .split(' ')
                .nth(1)
                .and_then(|ms| ms.parse().ok())
                .unwrap_or(0);
            tokio::time::sleep(Duration::from_millis(delay)).await;
            writer.write_all(format!("{line}\n").as_bytes()).await?;
        }
        Ok(())
    }

    pub fn server_main() -> ExitCode {
        // The benchmark closes our stdin when it is done with us.
        thread::spawn(|| {
            let _ = std::io::stdin().read_to_end(&mut Vec::new());
            std::process::exit(0);
        });
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(e) => {
                eprintln!("echo server: {e}");
                return ExitCode::FAILURE;
            }
        };
        let served: std::io::Result<()> = runtime.block_on(async {
            let socket = tokio::net::TcpSocket::new_v4()?;
            socket.bind(([127, 0, 0, 1], 0).into())?;
            // A long accept queue: 10,000 clients may connect at once.
            let listener = socket.listen(4096)?;
            println!("listening on {}", listener.local_addr()?);
            std::io::stdout().flush()?;
            loop {
                let (stream, _) = listener.accept().await?;
                tokio::spawn(async move {
                    let _ = serve(stream).await;
                });
            }
        });
        eprintln!("echo server: {served:?}");
        ExitCode::FAILURE
    }
}

mod worker {
    //! A worker process: this program started again with ROLE_VARIABLE set.
    //! It reads one command per line on stdin and answers one line on
    //! stdout, until its stdin is closed.

    use super::*;

    pub struct Worker {
        child: Child,
        stdin: Option<ChildStdin>,
        stdout: BufReader<ChildStdout>,
    }

    impl Worker {
        pub fn start() -> Result<Worker, String> {
            let exe = env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
            let mut child = Command::new(exe)
                .env(ROLE_VARIABLE, "worker")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .map_err(|e| format!("cannot start a worker process: {e}"))?;
            let stdin = child.stdin.take();
            let stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
            Ok(Worker {
                child,
                stdin,
                stdout,
            })
        }

        /// Starts a worker, gives it one command and closes its stdin: it
        /// answers, then exits.
        pub fn start_with(command: &str) -> Result<Worker, String> {
            let mut worker = Worker::start()?;
            worker.send(command)?;
            drop(worker.stdin.take());
            Ok(worker)
        }

        pub fn send(&mut self, command: &str) -> Result<(), String> {
            let stdin = self.stdin.as_mut().ok_or("the worker's stdin is closed")?;
            writeln!(stdin, "{command}").map_err(|e| format!("cannot write to a worker: {e}"))
        }

        pub fn reply(&mut self) -> Result<String, String> {
            let mut line = String::new();
            self.stdout
                .read_line(&mut line)
                .map_err(|e| format!("cannot read from a worker: {e}"))?;
            Ok(line.trim_end().to_string())
        }

        pub fn pid(&self) -> u32 {
            self.child.id()
        }

        /// Reads its (last) answer and waits for it to exit.
        pub fn finish(mut self) -> Result<String, String> {
            drop(self.stdin.take());
            let reply = self.reply()?;
            let status = self.child.wait().map_err(|e| e.to_string())?;
            if status.success() {
                Ok(reply)
            } else {
                Err(format!("a worker process ended with {status}"))
            }
        }
    }

    impl Drop for Worker {
        fn drop(&mut self) {
            // After finish() this finds it gone; on an error path it reaps it.
            drop(self.stdin.take());
            let _ = self.child.wait();
        }
    }

    fn answer(command: &str) -> String {
        let words: Vec<&str> = command.split_whitespace().collect();
        let number = |i: usize| words.get(i).and_then(|w| w.parse::<u64>().ok());
        match (words.first().copied(), number(1), number(2), number(3)) {
            (Some("primes"), Some(worker), Some(workers), Some(limit)) => {
                cpu::count_share(worker, workers, limit).to_string()
            }
            (Some("sleep"), Some(ms), _, _) => {
                thread::sleep(Duration::from_millis(ms));
                "done".to_string()
            }
            (Some("request"), Some(port), Some(id), Some(ms)) => {
                let kind = io::Wait::Request { port: port as u16 };
                match io::wait_blocking(kind, id as usize, Duration::from_millis(ms)) {
                    Ok(()) => "done".to_string(),
                    Err(e) => e,
                }
            }
            (Some("ready"), _, _, _) => "ready".to_string(),
            _ => format!("unknown command {command:?}"),
        }
    }

    pub fn main() -> ExitCode {
        let mut stdout = std::io::stdout();
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if writeln!(stdout, "{}", answer(&line))
                .and_then(|()| stdout.flush())
                .is_err()
            {
                return ExitCode::FAILURE;
            }
        }
        ExitCode::SUCCESS
    }
}

mod cost {
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
}

mod limits {
    //! How many threads, processes and sockets the system would allow.

    use super::*;

    /// tokio's default cap on the threads of its blocking pool.
    pub const BLOCKING_THREADS: usize = 512;
    /// Room left for everything else (the runtime's threads, open files).
    const MARGIN: u64 = 256;

    /// `VmRSS:` from /proc/PID/status, `Pss:` from smaps_rollup... in KiB.
    pub fn status_field(file: &str, field: &str) -> Result<i64, String> {
        let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {file}: {e}"))?;
        text.lines()
            .find_map(|line| line.strip_prefix(field))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kib| kib.parse().ok())
            .ok_or_else(|| format!("no {field} in {file}"))
    }

    fn read_number(file: &str) -> Option<u64> {
        std::fs::read_to_string(file).ok()?.trim().parse().ok()
    }

    /// The soft limit named `name` in /proc/self/limits (None: unlimited).
    fn soft_limit(name: &str) -> Option<u64> {
        let text = std::fs::read_to_string("/proc/self/limits").ok()?;
        let line = text.lines().find(|line| line.starts_with(name))?;
        line[name.len()..].split_whitespace().next()?.parse().ok()
    }

    #[derive(Clone)]
    pub struct Cap {
        pub max: usize,
        pub reason: String,
    }

    impl Cap {
        fn none() -> Cap {
            Cap {
                max: usize::MAX,
                reason: "no limit found".to_string(),
            }
        }

        /// Keeps the smaller of the two caps.
        fn lower(self, max: u64, reason: String) -> Cap {
            if (max as usize) < self.max {
                Cap {
                    max: max as usize,
                    reason,
                }
            } else {
                self
            }
        }

        pub fn min<'a>(&'a self, other: &'a Cap) -> &'a Cap {
            if other.max < self.max { other } else { self }
        }
    }

    pub struct Limits {
        pub threads: Cap,
        pub processes: Cap,
        pub sockets: Cap,
    }

    impl Limits {
        /// `process_rss`: what one worker process occupies, as measured.
        pub fn read(process_rss: i64) -> Limits {
            // Threads and processes are both tasks to the kernel: count
            // every one in the system (the 4th field of /proc/loadavg).
            let tasks = std::fs::read_to_string("/proc/loadavg")
                .ok()
                .and_then(|text| {
                    let field = text.split_whitespace().nth(3)?.to_string();
                    field.split('/').nth(1)?.parse::<u64>().ok()
                })
                .unwrap_or(0);
            let room = |limit: u64| limit.saturating_sub(tasks + MARGIN);
            let mut threads = Cap::none();
            if let Some(nproc) = soft_limit("Max processes") {
                threads = threads.lower(
                    room(nproc),
                    format!("RLIMIT_NPROC is {nproc}, {tasks} tasks are running"),
                );
            }
            if let Some(max) = read_number("/proc/sys/kernel/threads-max") {
                threads = threads.lower(
                    room(max),
                    format!("kernel.threads-max is {max}, {tasks} tasks are running"),
                );
            }
            if let Some(max) = read_number("/proc/sys/kernel/pid_max") {
                threads = threads.lower(
                    room(max),
                    format!("kernel.pid_max is {max}, {tasks} tasks are running"),
                );
            }
            let open_files = std::fs::read_dir("/proc/self/fd").map_or(0, |dir| dir.count() as u64);
            let mut sockets = Cap::none();
            let mut processes = threads.clone();
            if let Some(nofile) = soft_limit("Max open files") {
                let free = nofile.saturating_sub(open_files + MARGIN);
                sockets = sockets.lower(
                    free,
                    format!("RLIMIT_NOFILE is {nofile}: one socket per request"),
                );
                processes = processes.lower(
                    free / 2,
                    format!("RLIMIT_NOFILE is {nofile}: two pipes per worker process"),
                );
            }
            let available = status_field("/proc/meminfo", "MemAvailable:").unwrap_or(0) * 1024;
            if process_rss > 0 && available > 0 {
                let budget = available / 4;
                processes = processes.lower(
                    (budget / process_rss) as u64,
                    format!(
                        "a quarter of MemAvailable ({} MiB) at {} KiB per process",
                        budget >> 20,
                        process_rss >> 10
                    ),
                );
            }
            Limits {
                threads,
                processes,
                sockets,
            }
        }

        pub fn summary(&self) -> String {
            let show = |cap: &Cap| {
                if cap.max == usize::MAX {
                    "no limit found".to_string()
                } else {
                    format!("{} ({})", cap.max, cap.reason)
                }
            };
            format!(
                "threads up to {}\n        processes up to {}\n        sockets up to {}",
                show(&self.threads),
                show(&self.processes),
                show(&self.sockets)
            )
        }

        pub fn to_json(&self) -> Value {
            let cap = |cap: &Cap| {
                json!({
                    "max": (cap.max != usize::MAX).then_some(cap.max),
                    "reason": cap.reason,
                })
            };
            json!({
                "threads": cap(&self.threads),
                "processes": cap(&self.processes),
                "sockets": cap(&self.sockets),
            })
        }
    }
}

mod machine {
    //! What the results were measured on.

    use super::*;

    fn command_output(program: &str, args: &[&str]) -> Option<String> {
        let output = Command::new(program).args(args).output().ok()?;
        output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
    }

    pub fn describe(cores: usize, full: bool) -> Value {
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|text| {
                let line = text.lines().find(|l| l.starts_with("model name"))?;
                Some(line.split_once(':')?.1.trim().to_string())
            })
            .unwrap_or_else(|| "unknown".to_string());
        let os = std::fs::read_to_string("/etc/os-release")
            .ok()
            .and_then(|text| {
                let line = text.lines().find(|l| l.starts_with("PRETTY_NAME="))?;
                Some(line["PRETTY_NAME=".len()..].trim_matches('"').to_string())
            })
            .unwrap_or_else(|| env::consts::OS.to_string());
        let memory = limits::status_field("/proc/meminfo", "MemTotal:").unwrap_or(0) >> 10;
        // Asking rustc costs a process: only the full run records it.
        let rustc = full
            .then(|| command_output("rustc", &["-V"]))
            .flatten()
            .unwrap_or_else(|| "unknown".to_string());
        json!({
            "cpu": cpu,
            "cores": cores,
            "os": os,
            "kernel": if full { command_output("uname", &["-r"]) } else { None },
            "memory_mib": memory,
            "rustc": rustc,
            "build": if cfg!(debug_assertions) { "debug" } else { "release" },
        })
    }
}

mod python {
    //! The same workloads in CPython: python/bench.py, if python3 is here.

    use super::*;

    pub fn run(settings: &Settings, limits: &limits::Limits) -> Value {
        let skipped = |reason: String| {
            eprintln!("[compare-models] Python skipped: {reason}");
            json!({ "skipped": reason })
        };
        let Some(dir) = option_env!("CARGO_MANIFEST_DIR") else {
            return skipped("built outside cargo: cannot find python/bench.py".to_string());
        };
        let script = Path::new(dir).join("python").join("bench.py");
        if !script.is_file() {
            return skipped(format!("{} does not exist", script.display()));
        }
        let server = match echo::EchoServer::start() {
            Ok(server) => server,
            Err(e) => return skipped(e),
        };
        settings.progress("Python: python3 python/bench.py --full (progress below)");
        let output = Command::new("python3")
            .arg(&script)
            .arg(if settings.full { "--full" } else { "--quick" })
            .args(["--echo-port", &server.port.to_string()])
            .args([
                "--max-processes",
                &limits.processes.max.min(1 << 20).to_string(),
            ])
            .stderr(Stdio::inherit())
            .output();
        let _ = server.stop();
        match output {
            Err(e) => skipped(format!("cannot run python3: {e}")),
            Ok(output) if !output.status.success() => {
                skipped(format!("python3 bench.py ended with {}", output.status))
            }
            Ok(output) => match serde_json::from_slice::<Value>(&output.stdout) {
                Ok(results) => results,
                Err(e) => skipped(format!("bench.py printed no JSON: {e}")),
            },
        }
    }
}

mod report {
    //! The tables on stdout.

    use super::*;

    pub fn time(duration: Duration) -> String {
        let seconds = duration.as_secs_f64();
        if seconds >= 1.0 {
            format!("{seconds:.2} s")
        } else if seconds >= 1e-3 {
            format!("{:.1} ms", seconds * 1e3)
        } else {
            format!("{:.1} us", seconds * 1e6)
        }
    }

    pub fn bytes(bytes: i64) -> String {
        let size = bytes.abs() as f64;
        if size >= (1 << 20) as f64 {
            format!("{:.1} MiB", bytes as f64 / (1 << 20) as f64)
        } else if size >= 1024.0 {
            format!("{:.1} KiB", bytes as f64 / 1024.0)
        } else {
            format!("{bytes} B")
        }
    }

    pub fn print_cpu(settings: &Settings, cores: usize, rows: &[cpu::Row]) {
        println!(
            "CPU-bound: count the primes below {} ({} of them), {cores} workers",
            settings.prime_limit, settings.primes_expected
        );
        for row in rows {
            println!(
                "  {:<22}{:>10}  {:>5.2}x",
                row.model.name(),
                time(row.time),
                row.speedup
            );
        }
    }

    pub fn print_io(settings: &Settings, rows: &[io::Row]) {
        let mut header = String::new();
        for workload in ["sleep", "tcp"] {
            for count in &settings.io_counts {
                write!(header, "{:>14}", format!("{workload} x{count}")).unwrap();
            }
        }
        println!(
            "I/O-bound: concurrent waits of {} ms (timer; echo server)",
            settings.wait.as_millis()
        );
        println!("  {:<22}{header}", "");
        let mut notes = Vec::new();
        for model in Model::ALL {
            let mut line = format!("  {:<22}", model.name());
            for row in rows.iter().filter(|row| row.model == model) {
                let cell = match (row.time, row.ran < row.count) {
                    (None, _) => "-".to_string(),
                    (Some(t), false) => time(t),
                    (Some(t), true) => format!("{}*", time(t)),
                };
                write!(line, "{cell:>14}").unwrap();
                if let Some(note) = &row.note {
                    notes.push(format!(
                        "  {} {} x{}: {note}",
                        model.name(),
                        row.workload,
                        row.count
                    ));
                }
            }
            println!("{line}");
        }
        for note in notes {
            println!("{note}");
        }
    }

    pub fn print_cost(rows: &[cost::Row]) {
        println!("cost per unit: {:>17}{:>12}", "spawn + join", "memory");
        for row in rows {
            let memory = row.memory_bytes.map_or("-".to_string(), bytes);
            println!(
                "  {:<22}{:>12}{:>12}",
                row.unit,
                time(row.spawn_join),
                memory
            );
        }
    }
}

mod chart {
    //! SVG charts drawn from a results file, with plotters' SVG backend.
    //! Everything drawn comes from the file, in the file's order: the same
    //! file gives the same bytes.

    use super::*;
    use plotters::prelude::*;

    const WIDTH: u32 = 760;
    const RUST_COLOR: RGBColor = RGBColor(183, 65, 14);
    const PYTHON_COLOR: RGBColor = RGBColor(48, 105, 152);
    /// One colour per kind of model, the same for Rust and Python: Python's
    /// asyncio shares the colour of tokio's single-threaded runtime.
    fn series_color(model: &str) -> RGBColor {
        match model {
            "threads" | "threading" => RGBColor(183, 65, 14),
            "rayon-pool" => RGBColor(230, 145, 56),
            "processes" | "multiprocessing" => RGBColor(106, 61, 154),
            "tokio-tasks" => RGBColor(31, 120, 80),
            "tokio-current-thread" | "asyncio" => RGBColor(100, 180, 60),
            "spawn-blocking" => RGBColor(200, 40, 120),
            _ => RGBColor(110, 110, 110),
        }
    }

    fn error(e: impl std::fmt::Display) -> String {
        format!("cannot draw a chart: {e}")
    }

    fn field<'a>(value: &'a Value, key: &str) -> Result<&'a Value, String> {
        value
            .get(key)
            .ok_or_else(|| format!("the results have no `{key}`"))
    }

    fn number(value: &Value, key: &str) -> Result<f64, String> {
        field(value, key)?
            .as_f64()
            .ok_or_else(|| format!("`{key}` is not a number"))
    }

    fn text<'a>(value: &'a Value, key: &str) -> Result<&'a str, String> {
        field(value, key)?
            .as_str()
            .ok_or_else(|| format!("`{key}` is not a string"))
    }

    fn rows<'a>(value: &'a Value, key: &str) -> Result<&'a [Value], String> {
        field(value, key)?
            .as_array()
            .map(Vec::as_slice)
            .ok_or_else(|| format!("`{key}` is not a list"))
    }

    /// Python's part of the results, unless it was skipped.
    fn python(results: &Value) -> Option<&Value> {
        results.get("python").filter(|p| p.get("skipped").is_none())
    }

    /// One bar: its label, value and colour.
    type Bar = (String, f64, RGBColor);

    /// Horizontal bars, one per row, labelled on the left.
    fn bar_chart(
        title: &str,
        axis: &str,
        bars: &[Bar],
        log_scale: bool,
        mark: Option<(f64, &str)>,
    ) -> Result<String, String> {
        let mut svg = String::new();
        let height = 90 + 28 * bars.len() as u32;
        {
            let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
            root.fill(&WHITE).map_err(error)?;
            let largest = bars.iter().map(|b| b.1).fold(0.0, f64::max);
            let count = bars.len();
            let labels = |y: &f64| {
                let index = y.round();
                if (y - index).abs() < 1e-6 && index >= 0.0 && (index as usize) < count {
                    bars[count - 1 - index as usize].0.clone()
                } else {
                    String::new()
                }
            };
            let y_range = -0.5..count as f64 - 0.5;
            let mut builder = ChartBuilder::on(&root);
            builder
                .caption(title, ("sans-serif", 18))
                .margin(12)
                .x_label_area_size(40)
                .y_label_area_size(190);
            // Draws the bars on either kind of x axis.
            macro_rules! draw {
                ($chart:expr, $low:expr) => {{
                    let mut chart = $chart;
                    chart
                        .configure_mesh()
                        .disable_y_mesh()
                        .y_labels(count + 1)
                        .y_label_formatter(&labels)
                        .x_desc(axis)
                        .x_label_formatter(&|x| axis_number(*x))
                        .label_style(("sans-serif", 13))
                        .draw()
                        .map_err(error)?;
                    chart
                        .draw_series(bars.iter().enumerate().map(|(i, (_, value, color))| {
                            let y = (count - 1 - i) as f64;
                            Rectangle::new([($low, y - 0.35), (*value, y + 0.35)], color.filled())
                        }))
                        .map_err(error)?;
                    chart
                        .draw_series(bars.iter().enumerate().map(|(i, (_, value, _))| {
                            let y = (count - 1 - i) as f64;
                            Text::new(
                                format!(" {}", axis_number(*value)),
                                (*value, y + 0.2),
                                ("sans-serif", 12),
                            )
                        }))
                        .map_err(error)?;
                    if let Some((x, label)) = mark {
                        chart
                            .draw_series(std::iter::once(PathElement::new(
                                vec![(x, -0.5), (x, count as f64 - 0.5)],
                                BLACK.mix(0.45).stroke_width(2),
                            )))
                            .map_err(error)?;
                        chart
                            .draw_series(std::iter::once(Text::new(
                                format!(" {label}"),
                                (x, count as f64 - 0.6),
                                ("sans-serif", 12),
                            )))
                            .map_err(error)?;
                    }
                }};
            }
            if log_scale {
                let low = bars.iter().map(|b| b.1).fold(f64::MAX, f64::min) / 3.0;
                let chart = builder
                    .build_cartesian_2d((low..largest * 6.0).log_scale(), y_range)
                    .map_err(error)?;
                draw!(chart, low);
            } else {
                let right = largest.max(mark.map_or(0.0, |m| m.0)) * 1.25;
                let chart = builder
                    .build_cartesian_2d(0.0..right, y_range)
                    .map_err(error)?;
                draw!(chart, 0.0);
            }
            root.present().map_err(error)?;
        }
        Ok(svg)
    }

    /// Short, stable numbers for axes and bar ends: 0.0125, 1.98, 2000, 3.5e6.
    fn axis_number(x: f64) -> String {
        let size = x.abs();
        if size == 0.0 {
            "0".to_string()
        } else if size >= 1e5 {
            format!("{x:.1e}")
        } else if size >= 100.0 {
            format!("{x:.0}")
        } else if size >= 10.0 {
            format!("{x:.1}")
        } else if size >= 0.01 {
            format!("{x:.2}")
        } else {
            format!("{x:.3}")
        }
    }

    fn cpu_speedup(results: &Value) -> Result<String, String> {
        let mut bars = Vec::new();
        for row in rows(results, "cpu")? {
            let label = format!("Rust {}", text(row, "model")?);
            bars.push((label, number(row, "speedup")?, RUST_COLOR));
        }
        if let Some(python) = python(results) {
            for row in rows(python, "cpu")? {
                let label = format!("Python {}", text(row, "model")?);
                bars.push((label, number(row, "speedup")?, PYTHON_COLOR));
            }
        }
        let cores = number(field(results, "machine")?, "cores")?;
        bar_chart(
            "CPU-bound: speedup over sequential (prime count)",
            "times as fast as one thread of the same language",
            &bars,
            false,
            Some((cores, "cores")),
        )
    }

    /// Time for N concurrent waits, one line per model, log-log.
    fn io_chart(results: &Value, workload: &str, title: &str) -> Result<String, String> {
        let mut series: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
        let mut add = |label: String, n: f64, seconds: f64| match series
            .iter_mut()
            .find(|(l, _)| *l == label)
        {
            Some((_, points)) => points.push((n, seconds)),
            None => series.push((label, vec![(n, seconds)])),
        };
        let mut collect = |prefix: &str, list: &[Value]| -> Result<(), String> {
            for row in list.iter().filter(|r| r["workload"] == workload) {
                if let Some(seconds) = row["seconds"].as_f64() {
                    let label = format!("{prefix} {}", text(row, "model")?);
                    add(label, number(row, "n_run")?, seconds);
                }
            }
            Ok(())
        };
        collect("Rust", rows(results, "io")?)?;
        if let Some(python) = python(results) {
            collect("Python", rows(python, "io")?)?;
        }
        let points = series.iter().flat_map(|(_, p)| p.iter());
        let (mut low, mut high) = (f64::MAX, 0.0f64);
        let (mut fewest, mut most) = (f64::MAX, 0.0f64);
        for &(n, seconds) in points {
            low = low.min(seconds);
            high = high.max(seconds);
            fewest = fewest.min(n);
            most = most.max(n);
        }
        if series.is_empty() {
            return Err(format!("no {workload} measurements in the results"));
        }
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (WIDTH, 480)).into_drawing_area();
            root.fill(&WHITE).map_err(error)?;
            let (plot, legend) = root.split_horizontally(WIDTH - 200);
            let mut chart = ChartBuilder::on(&plot)
                .caption(title, ("sans-serif", 18))
                .margin(12)
                .x_label_area_size(40)
                .y_label_area_size(60)
                .build_cartesian_2d(
                    (fewest / 1.5..most * 1.5).log_scale(),
                    (low / 1.5..high * 1.5).log_scale(),
                )
                .map_err(error)?;
            chart
                .configure_mesh()
                .x_desc("concurrent waits (log scale)")
                .y_desc("wall time, seconds (log scale)")
                .x_label_formatter(&|x| axis_number(*x))
                .y_label_formatter(&|y| axis_number(*y))
                .label_style(("sans-serif", 13))
                .draw()
                .map_err(error)?;
            for (index, (label, points)) in series.iter().enumerate() {
                let (language, model) = label.split_once(' ').unwrap_or(("", label));
                let color = series_color(model);
                // Rust: thick lines, hollow circles; Python: thin, filled squares.
                let python = language == "Python";
                let style = color.stroke_width(if python { 1 } else { 2 });
                // The legend, beside the plot where it hides no point.
                let y = 50 + 20 * index as i32;
                chart
                    .draw_series(std::iter::once(PathElement::new(points.clone(), style)))
                    .map_err(error)?;
                let square = |point| {
                    EmptyElement::at(point) + Rectangle::new([(-3, -3), (3, 3)], color.filled())
                };
                let circle =
                    |point| EmptyElement::at(point) + Circle::new((0, 0), 3, color.stroke_width(2));
                if python {
                    chart
                        .draw_series(points.iter().map(|&p| square(p)))
                        .map_err(error)?;
                    let square = Rectangle::new([(19, y - 3), (25, y + 3)], color.filled());
                    legend.draw(&square).map_err(error)?;
                } else {
                    chart
                        .draw_series(points.iter().map(|&p| circle(p)))
                        .map_err(error)?;
                    let circle = Circle::new((22, y), 3, color.stroke_width(2));
                    legend.draw(&circle).map_err(error)?;
                }
                legend
                    .draw(&PathElement::new(vec![(8, y), (36, y)], style))
                    .map_err(error)?;
                legend
                    .draw(&Text::new(label.clone(), (44, y - 7), ("sans-serif", 12)))
                    .map_err(error)?;
            }
            root.present().map_err(error)?;
        }
        Ok(svg)
    }

    fn cost_chart(results: &Value, key: &str, title: &str, axis: &str) -> Result<String, String> {
        let mut bars = Vec::new();
        for row in rows(results, "cost")? {
            if let Some(value) = row[key].as_f64().filter(|v| *v > 0.0) {
                bars.push((format!("Rust {}", text(row, "unit")?), value, RUST_COLOR));
            }
        }
        if let Some(python) = python(results) {
            for row in rows(python, "cost")? {
                if let Some(value) = row[key].as_f64().filter(|v| *v > 0.0) {
                    bars.push((
                        format!("Python {}", text(row, "unit")?),
                        value,
                        PYTHON_COLOR,
                    ));
                }
            }
        }
        if bars.is_empty() {
            return Err(format!("no `{key}` in the results' cost rows"));
        }
        bar_chart(title, axis, &bars, true, None)
    }

    /// Writes every chart into `dir`; returns their file names.
    pub fn write_all(results: &Value, dir: &Path) -> Result<Vec<&'static str>, String> {
        let charts = [
            ("cpu-speedup.svg", cpu_speedup(results)?),
            (
                "io-sleep.svg",
                io_chart(results, "sleep", "I/O-bound: N concurrent timer sleeps")?,
            ),
            (
                "io-tcp.svg",
                io_chart(
                    results,
                    "tcp",
                    "I/O-bound: N concurrent requests to a slow echo server",
                )?,
            ),
            (
                "cost-spawn.svg",
                cost_chart(
                    results,
                    "spawn_join_us",
                    "Cost per unit: spawn and join one",
                    "microseconds (log scale)",
                )?,
            ),
            (
                "cost-memory.svg",
                cost_chart(
                    results,
                    "memory_bytes",
                    "Cost per unit: resident memory while alive",
                    "bytes (log scale)",
                )?,
            ),
        ];
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let mut names = Vec::new();
        for (name, svg) in charts {
            let file = dir.join(name);
            std::fs::write(&file, svg)
                .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
            names.push(name);
        }
        Ok(names)
    }
}
