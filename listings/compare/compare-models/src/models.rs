//! What is compared (the models) and how big a run is (the settings).

use super::*;

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

/// The order of repetition `repetition`. Of all the orders of `items`, the
/// one that least repeats what repetitions 0 to `repetition - 1` did: a
/// model at the same place (first above all), the same model right before
/// it, a pair of neighbours in the direction they already ran more often, a
/// whole order again (the first such order in table order on a tie). Over five
/// repetitions each model runs at several places and each pair of
/// neighbours runs both ways about equally, so that an effect of the order
/// (a warm cache, sockets left in TIME_WAIT by the run before, a CPU still
/// clocking up) does not pass for an effect of the model. What ran is
/// recorded as it runs (see `record`), not recomputed from this function.
pub fn order<T: Copy>(items: &[T], repetition: usize) -> Vec<T> {
    let n = items.len();
    let mut at_place = vec![vec![0i64; n]; n];
    let mut after = vec![vec![0i64; n]; n];
    let mut chosen: Vec<Vec<usize>> = Vec::new();
    for _ in 0..=repetition {
        let mut best: Option<(i64, Vec<usize>)> = None;
        let mut candidate: Vec<usize> = (0..n).collect();
        loop {
            let mut score: i64 = (0..n).map(|place| at_place[candidate[place]][place]).sum();
            for pair in candidate.windows(2) {
                let (a, b) = (pair[0], pair[1]);
                score += 3 * after[a][b] + 2 * (after[a][b] - after[b][a]);
            }
            if chosen.contains(&candidate) {
                score += (n * n) as i64;
            }
            // Running first (after a pause, or after the set-up) counts most.
            score += n as i64 * at_place[candidate[0]][0];
            if best.as_ref().is_none_or(|(lowest, _)| score < *lowest) {
                best = Some((score, candidate.clone()));
            }
            if !next_permutation(&mut candidate) {
                break;
            }
        }
        let (_, best) = best.unwrap_or_default();
        for (place, &index) in best.iter().enumerate() {
            at_place[index][place] += 1;
        }
        for pair in best.windows(2) {
            after[pair[0]][pair[1]] += 1;
        }
        chosen.push(best);
    }
    let last = chosen.pop().unwrap_or_default();
    last.into_iter().map(|index| items[index]).collect()
}

/// The next order of `items` in lexicographic order; false after the last.
fn next_permutation(items: &mut [usize]) -> bool {
    let Some(pivot) = (1..items.len()).rev().find(|&i| items[i - 1] < items[i]) else {
        return false;
    };
    let pivot = pivot - 1;
    let successor = (pivot + 1..items.len())
        .rev()
        .find(|&i| items[i] > items[pivot])
        .expect("a larger item follows the pivot");
    items.swap(pivot, successor);
    items[pivot + 1..].reverse();
    true
}

/// Every sample taken, in the order taken: (group, repetition, model).
static RUN_LOG: std::sync::Mutex<Vec<(String, usize, String)>> = std::sync::Mutex::new(Vec::new());

/// Notes that `name` was just measured in `group` for `repetition`.
/// results.json stores this log, and the harness checks its orders.
pub fn record(group: &str, repetition: usize, name: &str) {
    if let Ok(mut log) = RUN_LOG.lock() {
        log.push((group.to_string(), repetition, name.to_string()));
    }
}

/// The log so far: `(group, repetition, model)` per sample.
pub fn run_log() -> Vec<(String, u32, String)> {
    let log = RUN_LOG.lock().map(|log| log.clone()).unwrap_or_default();
    log.into_iter()
        .map(|(group, repetition, name)| (group, repetition as u32, name))
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    /// What the chapter says of the orders, for every group size it runs
    /// (2 to 7 models) over up to 5 repetitions: each model once per
    /// repetition; no model runs first again before every model has run
    /// first once; no order repeats while another is left; and each pair of
    /// neighbours runs as often one way as the other, give or take one.
    #[test]
    fn orders_rotate_the_first_place_and_balance_neighbours() {
        for n in 2..=7 {
            let items: Vec<usize> = (0..n).collect();
            let orders: Vec<Vec<usize>> = (0..5).map(|r| order(&items, r)).collect();
            for (r, one) in orders.iter().enumerate() {
                let mut sorted = one.clone();
                sorted.sort_unstable();
                assert_eq!(sorted, items, "{n} models, repetition {r}");
                let mut firsts = vec![0; n];
                for earlier in &orders[..=r] {
                    firsts[earlier[0]] += 1;
                }
                let (low, high) = (firsts.iter().min(), firsts.iter().max());
                assert!(
                    high.zip(low).is_some_and(|(h, l)| h - l <= 1),
                    "{n} models: first places {firsts:?} after repetition {r}"
                );
                let permutations: usize = (1..=n).product();
                if r < permutations {
                    assert!(!orders[..r].contains(one), "{n} models: {one:?} again");
                }
            }
            let runs_after = |a: usize, b: usize| {
                orders
                    .iter()
                    .filter(|o| o.windows(2).any(|w| w == [a, b]))
                    .count()
            };
            for a in 0..n {
                for b in 0..n {
                    assert!(
                        runs_after(a, b).abs_diff(runs_after(b, a)) <= 1,
                        "{n} models: {a} before {b} unbalanced in {orders:?}"
                    );
                }
            }
        }
    }
}
