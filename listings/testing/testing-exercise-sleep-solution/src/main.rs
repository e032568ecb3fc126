// ANCHOR: all
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// Starts four workers; each notes its id in `done` when it has finished.
/// Worker `id` starts `id * late` later, as on a busy machine. Returns
/// their handles, so that the caller can wait for each one.
fn start_workers(done: Arc<Mutex<Vec<u32>>>, late: Duration) -> Vec<JoinHandle<()>> {
    (0..4)
        .map(|id| {
            let done = Arc::clone(&done);
            thread::spawn(move || {
                thread::sleep(late * id);
                done.lock().unwrap().push(id);
            })
        })
        .collect()
}

/// Starts the workers, waits for every one, and returns who finished.
fn finished_workers(late: Duration) -> Vec<u32> {
    let done = Arc::new(Mutex::new(Vec::new()));
    for worker in start_workers(Arc::clone(&done), late) {
        worker.join().unwrap();
    }
    let mut finished = done.lock().unwrap().clone();
    finished.sort();
    finished
}

fn main() {
    let finished = finished_workers(Duration::from_millis(100));
    println!("workers done: {finished:?}");
    // ANCHOR_END: all
    if finished != [0, 1, 2, 3] {
        std::process::exit(1); // the lesson: every worker, every run
    }
    // ANCHOR: all
}

#[cfg(test)]
mod tests {
    use super::*;

    // The answer, on a machine slow enough to defeat any short sleep.
    #[test]
    fn every_worker_finishes_before_the_read() {
        assert_eq!(finished_workers(Duration::from_millis(100)), [0, 1, 2, 3]);
    }
}
// ANCHOR_END: all
