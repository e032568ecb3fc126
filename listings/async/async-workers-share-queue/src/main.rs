use std::sync::Arc;
use std::time::Duration;

// ANCHOR: all
use tokio::sync::{Mutex, mpsc};
use tokio::task::JoinSet;
use tokio::time::sleep;

const WORKERS: usize = 3;
const JOBS: u64 = 9;

#[tokio::main]
async fn main() {
    let (jobs, queue) = mpsc::channel::<u64>(4);
    // mpsc has one receiver: the workers share it behind an async Mutex.
    let queue = Arc::new(Mutex::new(queue));
    let mut workers = JoinSet::new();
    for _ in 0..WORKERS {
        let queue = Arc::clone(&queue);
        workers.spawn(async move {
            let mut done = Vec::new();
            loop {
                // The guard lives to the end of this statement only: the
                // lock is free again before the job runs.
                let job = queue.lock().await.recv().await;
                let Some(job) = job else { break }; // queue closed and empty
                sleep(Duration::from_millis(10)).await; // the work
                done.push(job);
            }
            done
        });
    }
    for job in 1..=JOBS {
        jobs.send(job).await.expect("the workers hold the receiver");
    }
    drop(jobs); // closes the queue: each worker's loop ends once it is empty
    let results = workers.join_all().await;
    check_each_job_done_once(&results);
    let taken: usize = results.iter().map(Vec::len).sum();
    println!("{taken} jobs taken from one queue by {WORKERS} workers, each job once");
}
// ANCHOR_END: all

/// The lesson's proof: no job lost, none done twice.
fn check_each_job_done_once(results: &[Vec<u64>]) {
    let mut all: Vec<u64> = results.concat();
    all.sort_unstable();
    let expected: Vec<u64> = (1..=JOBS).collect();
    if all != expected {
        eprintln!("check: jobs lost or repeated: {all:?}");
        std::process::exit(1);
    }
}
