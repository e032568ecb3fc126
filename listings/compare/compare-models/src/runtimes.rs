//! The tokio runtimes the models run on, and joining a set of tasks.

use super::*;

/// The two tokio runtimes, built once: building one is not what we measure.
pub struct Runtimes {
    pub multi_thread: Runtime,
    pub current_thread: Runtime,
}

impl Runtimes {
    pub fn new(cores: usize) -> Result<Runtimes, String> {
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
