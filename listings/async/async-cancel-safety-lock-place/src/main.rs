// ANCHOR: all
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::sleep;

/// Waits for the lock, but gives up after 10 ms and queues again.
async fn impatient(lock: Arc<Mutex<Vec<&'static str>>>) {
    loop {
        tokio::select! {
            mut turns = lock.lock() => {
                turns.push("impatient");
                return;
            }
            _ = sleep(Duration::from_millis(10)) => {
                println!("impatient: gave up waiting, queues again");
            }
        }
    }
}

/// Waits for the lock as long as it takes.
async fn patient(lock: Arc<Mutex<Vec<&'static str>>>) {
    lock.lock().await.push("patient");
}

#[tokio::main(flavor = "current_thread", start_paused = true)]
async fn main() {
    // Each task writes its name into the vector once it has the lock.
    let lock = Arc::new(Mutex::new(Vec::new()));
    let held = lock.lock().await; // nobody gets it for 25 ms
    let first = tokio::spawn(impatient(Arc::clone(&lock)));
    sleep(Duration::from_millis(5)).await;
    let second = tokio::spawn(patient(Arc::clone(&lock)));
    sleep(Duration::from_millis(20)).await;
    drop(held);
    first.await.expect("impatient panicked");
    second.await.expect("patient panicked");
    let order = lock.lock().await.clone();
    println!("the lock went to: {order:?}");
    // ANCHOR_END: all
    // The lesson, checked: the task that queued first lost its place.
    if order != ["patient", "impatient"] {
        println!("check: NOT the lesson: the impatient task kept its place");
        std::process::exit(1);
    }
    // ANCHOR: all
}
// ANCHOR_END: all
