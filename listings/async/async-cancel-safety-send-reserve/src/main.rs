// ANCHOR: send
use std::collections::VecDeque;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::sleep;

/// Hands five jobs to a worker, with `send` inside `select!`. The other
/// branch stands for the rest of the loop's work: a report, a request to
/// stop.
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
// ANCHOR_END: send

// ANCHOR: reserve
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
// ANCHOR_END: reserve

// ANCHOR: main
/// A worker that takes 20 ms per job, and counts them.
async fn slow_worker(mut jobs: mpsc::Receiver<String>) -> usize {
    let mut done = 0;
    while jobs.recv().await.is_some() {
        sleep(Duration::from_millis(20)).await;
        done += 1;
    }
    done
}

#[tokio::main(flavor = "current_thread", start_paused = true)]
async fn main() {
    // Room for one job: the queue is full while the worker is busy.
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
    // ANCHOR_END: main
    // The lesson, checked: the cancelled sends lost jobs, reserve lost none.
    if with_send == 5 || with_reserve != 5 {
        println!("check: NOT the lesson: {with_send} and {with_reserve} of 5 jobs arrived");
        std::process::exit(1);
    }
    // ANCHOR: main
}
// ANCHOR_END: main
