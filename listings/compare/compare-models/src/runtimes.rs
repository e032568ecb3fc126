//! The pools and runtimes the models run on, and joining a set of tasks.

use super::*;

/// Everything a model needs before its work starts: tokio's two kinds of
/// runtime and a rayon pool, each with `workers` threads. A fresh set is
/// built before every timed run, outside the clock, so that no run finds
/// threads that an earlier one left warm (tokio's blocking pool keeps idle
/// threads for a while), and set-up is timed for no model.
pub struct Runtimes {
    pub multi_thread: Runtime,
    pub current_thread: Runtime,
    pub rayon: rayon::ThreadPool,
}

impl Runtimes {
    pub fn new(workers: usize) -> Result<Runtimes, String> {
        let multi_thread = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the tokio runtime: {e}"))?;
        let current_thread = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the tokio runtime: {e}"))?;
        let rayon = rayon::ThreadPoolBuilder::new()
            .num_threads(workers)
            .build()
            .map_err(|e| format!("cannot start a rayon pool: {e}"))?;
        // Every pool thread has started and run once: not what we measure.
        rayon.broadcast(|_| ());
        multi_thread.block_on(async {});
        Ok(Runtimes {
            multi_thread,
            current_thread,
            rayon,
        })
    }

    /// The runtime a tokio model runs on: several worker threads, or one.
    pub fn for_model(&self, model: Model) -> &Runtime {
        if model == Model::TokioCurrentThread {
            &self.current_thread
        } else {
            &self.multi_thread
        }
    }
}

/// Waits for every task of a JoinSet; a task that panicked is an error.
pub async fn join_all<T: 'static>(mut set: JoinSet<Result<T, String>>) -> Result<Vec<T>, String> {
    let mut results = Vec::with_capacity(set.len());
    while let Some(joined) = set.join_next().await {
        results.push(joined.map_err(|e| format!("a task failed: {e}"))??);
    }
    Ok(results)
}

/// Times `run` alone: `set_up` (building runtimes, starting processes)
/// happens before the clock starts, and dropping what it built after the
/// clock stops.
pub fn time_after<S, T>(
    set_up: impl FnOnce() -> Result<S, String>,
    run: impl FnOnce(&mut S) -> Result<T, String>,
) -> Result<(Duration, T), String> {
    let mut prepared = set_up()?;
    let started = Instant::now();
    let result = run(&mut prepared)?;
    let elapsed = started.elapsed();
    drop(prepared);
    Ok((elapsed, result))
}
