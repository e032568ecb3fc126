use std::collections::VecDeque;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, mpsc};
use tokio::time::sleep;

// ANCHOR: place
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

/// Who gets the lock first, of a task that queued first but cancelled its
/// wait, and one that queued after it?
async fn who_gets_the_lock() -> Vec<&'static str> {
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
    order
}
// ANCHOR_END: place

// ANCHOR: send
/// Hands five jobs to a slow worker, with `send` inside `select!`. The
/// other branch stands for any other work: a report, a request to stop.
async fn hand_out_with_send(worker: mpsc::Sender<String>) {
    let mut jobs: VecDeque<String> = (1..=5).map(|n| format!("job {n}")).collect();
    while let Some(job) = jobs.pop_front() {
        tokio::select! {
            biased;
            // `job` moves into the send; if the other branch wins, it is
            // dropped with the cancelled send.
            sent = worker.send(job) => sent.expect("the worker stopped"),
            _ = sleep(Duration::from_millis(15)) => {}
        }
    }
}

/// The same with `reserve`: wait for room first, take the job out after.
async fn hand_out_with_reserve(worker: mpsc::Sender<String>) {
    let mut jobs: VecDeque<String> = (1..=5).map(|n| format!("job {n}")).collect();
    while !jobs.is_empty() {
        tokio::select! {
            biased;
            room = worker.reserve() => {
                let permit = room.expect("the worker stopped");
                permit.send(jobs.pop_front().expect("checked above"));
            }
            _ = sleep(Duration::from_millis(15)) => {}
        }
    }
}

/// A worker that takes 20 ms per job, and counts them.
async fn slow_worker(mut jobs: mpsc::Receiver<String>) -> usize {
    let mut done = 0;
    while jobs.recv().await.is_some() {
        sleep(Duration::from_millis(20)).await;
        done += 1;
    }
    done
}
// ANCHOR_END: send

// ANCHOR: main
#[tokio::main(flavor = "current_thread", start_paused = true)]
async fn main() -> ExitCode {
    let order = who_gets_the_lock().await;

    let (jobs, queue) = mpsc::channel(1);
    let worker = tokio::spawn(slow_worker(queue));
    hand_out_with_send(jobs).await;
    let with_send = worker.await.expect("the worker panicked");
    println!("send in select!:    the worker got {with_send} of 5 jobs");

    let (jobs, queue) = mpsc::channel(1);
    let worker = tokio::spawn(slow_worker(queue));
    hand_out_with_reserve(jobs).await;
    let with_reserve = worker.await.expect("the worker panicked");
    println!("reserve in select!: the worker got {with_reserve} of 5 jobs");

    // The lessons, checked: the cancelled wait lost its place, the cancelled
    // sends lost jobs, and reserve lost none.
    if order == ["patient", "impatient"] && with_send < 5 && with_reserve == 5 {
        ExitCode::SUCCESS
    } else {
        println!("NOT the lesson: {order:?}, {with_send} and {with_reserve} of 5");
        ExitCode::FAILURE
    }
}
// ANCHOR_END: main
