use std::time::{Duration, Instant};

use tokio::runtime::Builder;
use tokio::sync::oneshot;
use tokio::time::interval;

/// CPU-bound work: counts primes below `limit` by trial division.
fn count_primes(limit: u64) -> usize {
    (2..limit)
        .filter(|&n| (2..).take_while(|d| d * d <= n).all(|d| n % d != 0))
        .count()
}

const LIMIT: u64 = 150_000;
const HEARTBEAT: Duration = Duration::from_millis(10);

// ANCHOR: all
#[derive(Clone, Copy, Debug)]
enum Mode {
    Inline,
    SpawnBlocking,
    BlockInPlace,
}

/// The prime count, run the way `mode` says, from inside a task.
async fn count(mode: Mode) -> usize {
    match mode {
        // Runs right here, on the worker thread, without an .await.
        Mode::Inline => count_primes(LIMIT),
        // Runs on tokio's separate pool for blocking work; this task waits.
        Mode::SpawnBlocking => tokio::task::spawn_blocking(|| count_primes(LIMIT))
            .await
            .expect("the prime count panicked"),
        // Runs here, after handing this worker's other tasks to a new worker.
        Mode::BlockInPlace => tokio::task::block_in_place(|| count_primes(LIMIT)),
    }
}

/// Spawns a heartbeat that ticks every 10 ms and a task that counts primes,
/// both on the runtime's only worker; returns the count, how long it took,
/// and the longest the heartbeat had to wait for a thread.
async fn count_with_heartbeat(mode: Mode) -> (usize, Duration, Duration) {
    let (stop, stopped) = oneshot::channel::<()>();
    let (ticking, first_tick) = oneshot::channel::<()>();
    let heartbeat = tokio::spawn(async move {
        let mut ticks = interval(HEARTBEAT);
        ticks.tick().await; // the first tick is immediate
        let _ = ticking.send(());
        let mut last = Instant::now();
        let mut longest = Duration::ZERO;
        tokio::pin!(stopped);
        loop {
            tokio::select! {
                _ = ticks.tick() => {
                    longest = longest.max(last.elapsed());
                    last = Instant::now();
                }
                _ = &mut stopped => return longest.max(last.elapsed()),
            }
        }
    });
    first_tick.await.expect("the heartbeat did not start");
    let counter = tokio::spawn(async move {
        let start = Instant::now();
        (count(mode).await, start.elapsed())
    });
    let (primes, took) = counter.await.expect("the counting task panicked");
    let _ = stop.send(());
    let longest_gap = heartbeat.await.expect("the heartbeat panicked");
    (primes, took, longest_gap)
}

fn main() -> std::io::Result<()> {
    // One worker thread, so that a blocked worker cannot be covered by another.
    let runtime = Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    for mode in [Mode::Inline, Mode::SpawnBlocking, Mode::BlockInPlace] {
        let (primes, took, gap) = runtime.block_on(count_with_heartbeat(mode));
        // A gap of half the computation or more: the heartbeat could not run.
        let verdict = if gap >= took / 2 {
            "the heartbeat stalled"
        } else {
            "the heartbeat kept ticking"
        };
        println!(
            "{:<14} {primes} primes in {:>3} ms, longest heartbeat gap {:>3} ms: {verdict}",
            format!("{mode:?}:"),
            took.as_millis(),
            gap.as_millis()
        );
    }
    Ok(())
}
// ANCHOR_END: all
