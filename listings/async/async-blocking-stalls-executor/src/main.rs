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

// ANCHOR: all
#[derive(Clone, Copy, Debug)]
enum Mode {
    Inline,
    SpawnBlocking,
    BlockInPlace,
}

/// Runs the prime count while a heartbeat task ticks every 10 ms, and
/// reports the longest the heartbeat had to wait for the thread.
async fn count_with_heartbeat(mode: Mode) -> (usize, Duration, Duration) {
    let (stop, stopped) = oneshot::channel::<()>();
    let heartbeat = tokio::spawn(async move {
        let mut ticks = interval(Duration::from_millis(10));
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
    tokio::task::yield_now().await; // let the heartbeat start ticking

    let start = Instant::now();
    let primes = match mode {
        // Runs right here, on the runtime's thread, without an .await.
        Mode::Inline => count_primes(LIMIT),
        // Runs on tokio's separate pool for blocking work; this task waits.
        Mode::SpawnBlocking => tokio::task::spawn_blocking(|| count_primes(LIMIT))
            .await
            .expect("the prime count panicked"),
        // Runs here, after handing this worker's other tasks to another worker.
        Mode::BlockInPlace => tokio::task::block_in_place(|| count_primes(LIMIT)),
    };
    let took = start.elapsed();
    let _ = stop.send(());
    let longest_gap = heartbeat.await.expect("the heartbeat panicked");
    (primes, took, longest_gap)
}

fn main() -> std::io::Result<()> {
    let one_thread = Builder::new_current_thread().enable_all().build()?;
    let pool = Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    for (mode, runtime) in [
        (Mode::Inline, &one_thread),
        (Mode::SpawnBlocking, &one_thread),
        // block_in_place panics on a current_thread runtime.
        (Mode::BlockInPlace, &pool),
    ] {
        let (primes, took, gap) = runtime.block_on(count_with_heartbeat(mode));
        println!(
            "{:<14} {primes} primes in {:>3} ms, longest heartbeat gap {:>3} ms",
            format!("{mode:?}:"),
            took.as_millis(),
            gap.as_millis()
        );
    }
    Ok(())
}
// ANCHOR_END: all
