use std::error::Error;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, LazyLock};

use tokio::sync::{AcquireError, Semaphore, oneshot};
use tokio::task::JoinSet;

/// CPU-bound work: counts the primes below `limit` by trial division.
fn count_primes(limit: u64) -> usize {
    (2..limit)
        .filter(|&n| (2..).take_while(|d| d * d <= n).all(|d| n % d != 0))
        .count()
}

const JOBS: u64 = 8;
/// The bound: at most this many computations at once. A real program would
/// take the number of cores (`std::thread::available_parallelism`); a fixed
/// 2 keeps the output the same on every machine.
const AT_ONCE: usize = 2;

/// Job `job` counts the primes below this.
fn limit(job: u64) -> u64 {
    10_000 + job * 1_000
}

/// The right total, counted one job after the other.
static EXPECTED: LazyLock<usize> =
    LazyLock::new(|| (0..JOBS).map(|job| count_primes(limit(job))).sum());

/// Counts the jobs running right now, and the most that ever ran at once.
#[derive(Default)]
struct Gauge {
    running: AtomicUsize,
    most: AtomicUsize,
}

impl Gauge {
    fn measure<T>(&self, job: impl FnOnce() -> T) -> T {
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(now, Ordering::SeqCst);
        let result = job();
        self.running.fetch_sub(1, Ordering::SeqCst);
        result
    }

    fn most(&self) -> usize {
        self.most.load(Ordering::SeqCst)
    }
}

// ANCHOR: unbounded
/// spawn_blocking with no bound: every job gets a thread of its own at once.
/// (The barrier makes each job wait until all have started, which proves
/// that JOBS threads exist at the same time.)
async fn unbounded(gauge: Arc<Gauge>) -> usize {
    let all_started = Arc::new(Barrier::new(JOBS as usize));
    let mut jobs = JoinSet::new();
    for job in 0..JOBS {
        let (gauge, all_started) = (Arc::clone(&gauge), Arc::clone(&all_started));
        jobs.spawn_blocking(move || {
            gauge.measure(|| {
                all_started.wait();
                count_primes(limit(job))
            })
        });
    }
    jobs.join_all().await.into_iter().sum()
}
// ANCHOR_END: unbounded

// ANCHOR: semaphore
/// spawn_blocking under a Semaphore: a job takes a permit before it is
/// spawned, and gives it back when its closure ends.
async fn with_semaphore(gauge: Arc<Gauge>) -> Result<usize, AcquireError> {
    let permits = Arc::new(Semaphore::new(AT_ONCE));
    let mut jobs = JoinSet::new();
    for job in 0..JOBS {
        // While AT_ONCE jobs run, the loop waits here: the submitter slows
        // down instead of piling up threads.
        let permit = Arc::clone(&permits).acquire_owned().await?;
        let gauge = Arc::clone(&gauge);
        jobs.spawn_blocking(move || {
            let _permit = permit; // held until the closure returns
            gauge.measure(|| count_primes(limit(job)))
        });
    }
    Ok(jobs.join_all().await.into_iter().sum())
}
// ANCHOR_END: semaphore

// ANCHOR: rayon
/// A rayon pool of AT_ONCE threads: the pool's size is the bound. Each job
/// answers on a oneshot channel, which the async side awaits.
async fn on_rayon(pool: &rayon::ThreadPool, gauge: Arc<Gauge>) -> Result<usize, Box<dyn Error>> {
    let mut answers = Vec::new();
    for job in 0..JOBS {
        let (answer, answered) = oneshot::channel();
        let gauge = Arc::clone(&gauge);
        pool.spawn(move || {
            // Fails only if the receiver is gone: nobody wants the answer.
            let _ = answer.send(gauge.measure(|| count_primes(limit(job))));
        });
        answers.push(answered);
    }
    let mut total = 0;
    for answered in answers {
        total += answered.await?; // an error if the job ended without answering
    }
    Ok(total)
}
// ANCHOR_END: rayon

/// Prints one line, and fails if the total is wrong or the bound was exceeded.
fn report(how: &str, total: usize, gauge: &Gauge, bound: usize) -> Result<(), String> {
    let most = gauge.most();
    println!("{how:<31}{JOBS} jobs, {total} primes, at most {most} running at once");
    let expected = *EXPECTED;
    if total != expected || most > bound {
        return Err(format!(
            "expected {expected} primes and at most {bound} at once"
        ));
    }
    Ok(())
}

// ANCHOR: main
#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let gauge = Arc::new(Gauge::default());
    let total = unbounded(Arc::clone(&gauge)).await;
    report("spawn_blocking, no bound:", total, &gauge, JOBS as usize)?;

    let gauge = Arc::new(Gauge::default());
    let total = with_semaphore(Arc::clone(&gauge)).await?;
    report("spawn_blocking, a Semaphore:", total, &gauge, AT_ONCE)?;

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(AT_ONCE)
        .build()?;
    let gauge = Arc::new(Gauge::default());
    let total = on_rayon(&pool, Arc::clone(&gauge)).await?;
    report("a rayon pool, oneshot answers:", total, &gauge, AT_ONCE)?;
    Ok(())
}
// ANCHOR_END: main
