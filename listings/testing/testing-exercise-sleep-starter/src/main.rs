// ANCHOR: all
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// Starts four workers; each notes its id in `done` when it has finished.
/// Worker `id` starts `id * late` later, as on a busy machine.
fn start_workers(done: Arc<Mutex<Vec<u32>>>, late: Duration) {
    for id in 0..4 {
        let done = Arc::clone(&done);
        thread::spawn(move || {
            thread::sleep(late * id);
            done.lock().unwrap().push(id);
        });
    }
}

fn main() {
    let done = Arc::new(Mutex::new(Vec::new()));
    start_workers(Arc::clone(&done), Duration::from_millis(100));
    thread::sleep(Duration::from_millis(50)); // long enough on a quiet machine
    let mut finished = done.lock().unwrap().clone();
    finished.sort();
    println!("workers done: {finished:?}");
}
// ANCHOR_END: all
