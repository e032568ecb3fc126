//! What is compared (the models) and how big a run is (the settings).

use super::*;

// ANCHOR: models
/// The ways of running work concurrently that the benchmark compares.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Model {
    /// One thing after another on the main thread: the baseline.
    Sequential,
    /// One scoped OS thread per piece of work (`thread::scope`).
    Threads,
    /// A rayon pool of one thread per worker: it splits the work itself,
    /// and a thread that runs out steals from the others.
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
    pub const ALL: [Model; 7] = [
        Model::Sequential,
        Model::Threads,
        Model::RayonPool,
        Model::Processes,
        Model::TokioTasks,
        Model::TokioCurrentThread,
        Model::SpawnBlocking,
    ];

    pub fn name(self) -> &'static str {
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

    /// The models that can use more than one core: the scaling curve's.
    pub const SCALABLE: [Model; 5] = [
        Model::Threads,
        Model::RayonPool,
        Model::Processes,
        Model::TokioTasks,
        Model::SpawnBlocking,
    ];
}

/// The order of repetition `repetition`: `items` rotated left by that many
/// places, and reversed when `repetition` is odd. Each model runs at
/// another place in the order, after another neighbour, from one repetition
/// to the next, so that an effect of the order (a warm cache, sockets left
/// in TIME_WAIT by the run before, a CPU still clocking up) falls on every
/// model alike rather than always on the same one.
pub fn order<T: Copy>(items: &[T], repetition: usize) -> Vec<T> {
    let mut order = items.to_vec();
    if !order.is_empty() {
        order.rotate_left(repetition % items.len());
    }
    if repetition % 2 == 1 {
        order.reverse();
    }
    order
}

/// The sizes of one run: small for the quick run, real for `--full`.
pub struct Settings {
    pub full: bool,
    /// Count the primes below this number...
    pub prime_limit: u64,
    /// ...and expect this many (the known value of pi(prime_limit)).
    pub primes_expected: usize,
    /// Samples of every figure: each is measured this many times, the
    /// models in a new order each time (see `order`).
    pub repetitions: usize,
    /// How many waits run at once, for each I/O measurement.
    pub io_counts: Vec<usize>,
    /// The length of one wait: a timer, or the echo server's delay.
    pub wait: Duration,
    /// A model that would need longer than this, doing its waits a few at a
    /// time (sequential, the small pool), is skipped, with the reason.
    pub io_budget: Duration,
    /// Spawn-and-join repetitions for threads, processes and tasks.
    pub thread_spawns: usize,
    pub process_spawns: usize,
    pub task_spawns: usize,
    /// How many threads, processes and tasks are alive at once when the
    /// memory per unit is measured.
    pub threads_alive: usize,
    pub processes_alive: usize,
    pub tasks_alive: usize,
}

impl Settings {
    pub fn quick() -> Settings {
        Settings {
            full: false,
            prime_limit: 200_000,
            primes_expected: 17_984,
            repetitions: 3,
            io_counts: vec![8],
            wait: Duration::from_millis(10),
            io_budget: Duration::from_secs(1),
            thread_spawns: 100,
            process_spawns: 5,
            task_spawns: 1_000,
            threads_alive: 50,
            processes_alive: 3,
            tasks_alive: 1_000,
        }
    }

    pub fn full() -> Settings {
        Settings {
            full: true,
            prime_limit: 1_000_000,
            primes_expected: 78_498,
            repetitions: 5,
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
    pub fn progress(&self, message: &str) {
        if self.full {
            eprintln!("[compare-models] {message}");
        }
    }
}
