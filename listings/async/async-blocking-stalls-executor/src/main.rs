use std::time::Duration;

use tokio::runtime::Builder;

/// CPU-bound work: counts primes below `limit` by trial division.
fn count_primes(limit: u64) -> usize {
    (2..limit)
        .filter(|&n| (2..).take_while(|d| d * d <= n).all(|d| n % d != 0))
        .count()
}

const LIMIT: u64 = 150_000;
const HEARTBEAT: Duration = Duration::from_millis(10);

// ANCHOR: count
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
// ANCHOR_END: count

/// The measurement: a heartbeat task that should tick every 10 ms, and what
/// it did while `count` ran in another task on the same runtime.
mod heartbeat {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::{Duration, Instant};

    use tokio::sync::oneshot;
    use tokio::time::interval;

    use super::{HEARTBEAT, Mode, count};

    /// What one run saw: the count, how long it took, how many heartbeats
    /// ticked while it ran, and the longest the heartbeat waited for a thread.
    pub struct Run {
        pub primes: usize,
        pub took: Duration,
        pub ticks_during: u64,
        pub longest_gap: Duration,
    }

    impl Run {
        /// Not one tick while the count ran: the heartbeat never got a thread.
        pub fn verdict(&self) -> &'static str {
            if self.ticks_during == 0 {
                "the heartbeat stalled"
            } else {
                "the heartbeat kept ticking"
            }
        }
    }

    /// Spawns a heartbeat that ticks every 10 ms and a task that counts primes,
    /// both on the runtime's only worker, and reports what the heartbeat did
    /// while the count ran.
    // ANCHOR: stall
    pub async fn count_with_heartbeat(mode: Mode) -> Run {
        let ticks = Arc::new(AtomicU64::new(0));
        let (stop, stopped) = oneshot::channel::<()>();
        let (ticking, first_tick) = oneshot::channel::<()>();
        let heartbeat = tokio::spawn({
            let ticks = Arc::clone(&ticks);
            async move {
                let mut interval = interval(HEARTBEAT);
                interval.tick().await; // the first tick is immediate
                let _ = ticking.send(());
                let mut last = Instant::now();
                let mut longest = Duration::ZERO;
                tokio::pin!(stopped);
                loop {
                    tokio::select! {
                        _ = interval.tick() => {
                            ticks.fetch_add(1, Ordering::Relaxed);
                            longest = longest.max(last.elapsed());
                            last = Instant::now();
                        }
                        _ = &mut stopped => return longest.max(last.elapsed()),
                    }
                }
            }
        });
        first_tick.await.expect("the heartbeat did not start");
        let counter = tokio::spawn({
            let ticks = Arc::clone(&ticks);
            async move {
                let (start, before) = (Instant::now(), ticks.load(Ordering::Relaxed));
                let primes = count(mode).await;
                let ticks_during = ticks.load(Ordering::Relaxed) - before;
                (primes, start.elapsed(), ticks_during)
            }
        });
        let (primes, took, ticks_during) = counter.await.expect("the counting task panicked");
        let _ = stop.send(());
        let longest_gap = heartbeat.await.expect("the heartbeat panicked");
        Run {
            primes,
            took,
            ticks_during,
            longest_gap,
        }
    }
    // ANCHOR_END: stall
}

// ANCHOR: stall
fn main() -> std::io::Result<()> {
    // One worker thread, so that a blocked worker cannot be covered by another.
    let runtime = Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    for mode in [Mode::Inline, Mode::SpawnBlocking, Mode::BlockInPlace] {
        let run = runtime.block_on(heartbeat::count_with_heartbeat(mode));
        // ANCHOR_END: stall
        println!(
            "{:<14} {} primes in {:>3} ms, {:>2} heartbeats meanwhile, longest gap {:>3} ms: {}",
            format!("{mode:?}:"),
            run.primes,
            run.took.as_millis(),
            run.ticks_during,
            run.longest_gap.as_millis(),
            run.verdict()
        );
        // ANCHOR: stall
    }
    Ok(())
}
// ANCHOR_END: stall
