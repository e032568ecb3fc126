// ANCHOR: pool
use std::num::NonZero;
use std::thread::{self, JoinHandle};

use crossbeam::channel::{self, Sender};

/// A job is any closure that a worker thread can run once.
type Job = Box<dyn FnOnce() + Send + 'static>;

/// A fixed number of threads taking jobs from one shared channel.
struct WorkerPool {
    /// `None` once shutdown has begun.
    jobs: Option<Sender<Job>>,
    workers: Vec<JoinHandle<usize>>,
}

impl WorkerPool {
    fn new(size: usize) -> WorkerPool {
        // Bounded: a burst of submissions waits instead of piling up.
        let (jobs, queue) = channel::bounded::<Job>(size * 2);
        let workers = (0..size)
            .map(|_| {
                let queue = queue.clone();
                thread::spawn(move || {
                    let mut ran = 0;
                    // Ends when the pool drops its sender and the queue is
                    // empty: jobs already queued still run.
                    for job in queue {
                        job();
                        ran += 1;
                    }
                    ran
                })
            })
            .collect();
        WorkerPool {
            jobs: Some(jobs),
            workers,
        }
    }

    fn execute(&self, job: impl FnOnce() + Send + 'static) {
        let jobs = self.jobs.as_ref().expect("the pool is shutting down");
        jobs.send(Box::new(job)).expect("every worker has stopped");
    }
}
// ANCHOR_END: pool

// ANCHOR: shutdown
// Continued from the previous part.
impl WorkerPool {
    /// Graceful shutdown: close the queue, then wait for every worker to
    /// finish what is queued. Returns how many jobs each worker ran.
    fn shutdown(mut self) -> Vec<usize> {
        self.close_and_join()
            .into_iter()
            .map(|ran| ran.expect("a worker panicked"))
            .collect()
    }

    fn close_and_join(&mut self) -> Vec<thread::Result<usize>> {
        drop(self.jobs.take());
        self.workers.drain(..).map(JoinHandle::join).collect()
    }
}

impl Drop for WorkerPool {
    /// A pool dropped without `shutdown` still lets its workers finish.
    fn drop(&mut self) {
        // Ignore the workers' panics: each was reported when it happened,
        // and a panic here, while the caller may already be unwinding from
        // one, would abort the whole process.
        let _ = self.close_and_join();
    }
}
// ANCHOR_END: shutdown

/// A checksum of a simulated file: a little CPU work per job.
fn checksum(file_number: u32) -> u32 {
    (0..10_000u32).fold(file_number, |sum, byte| {
        sum.wrapping_mul(31).wrapping_add(byte)
    })
}

// ANCHOR: main
// Continued from the previous part.
fn main() {
    // The jobs compute: one worker per core. Fall back to 1 when the
    // number of cores cannot be found out.
    let size = thread::available_parallelism().map_or(1, NonZero::get);
    let pool = WorkerPool::new(size);
    let (results, checksums) = channel::unbounded();
    for file_number in 1..=8 {
        let results = results.clone();
        pool.execute(move || {
            results.send((file_number, checksum(file_number))).unwrap();
        });
    }
    drop(results);
    let jobs_per_worker = pool.shutdown();
    let mut checksums: Vec<(u32, u32)> = checksums.iter().collect();
    checksums.sort();
    for (file_number, sum) in &checksums {
        println!("file {file_number}: checksum {sum:08x}");
    }
    let total: usize = jobs_per_worker.iter().sum();
    println!(
        "{} workers ran {total} jobs and stopped",
        jobs_per_worker.len()
    );
}
// ANCHOR_END: main
