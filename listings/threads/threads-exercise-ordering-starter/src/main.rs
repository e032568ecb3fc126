//! A worker computes an answer and says it is done. The loom types used here
//! have most of std's methods; loom runs the model under every
//! interleaving, and with most of the values the memory model lets each load
//! return.

use std::panic;

use loom::sync::Arc;
use loom::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use loom::thread;

const ANSWER: u64 = 42;
const STEPS: u32 = 2;

// ANCHOR: job
struct Job {
    /// How many steps the worker has finished: read once it has ended.
    steps_done: AtomicU32,
    /// The answer, valid once `done` is true.
    answer: AtomicU64,
    /// Set once `answer` holds the answer.
    done: AtomicBool,
}

fn work(job: &Job) {
    for _ in 0..STEPS {
        job.steps_done.fetch_add(1, Ordering::Relaxed);
    }
    job.answer.store(ANSWER, Ordering::Relaxed);
    job.done.store(true, Ordering::Relaxed);
}

/// Waits until the job is done, then reads its answer.
fn wait_for_answer(job: &Job) -> u64 {
    while !job.done.load(Ordering::Relaxed) {
        thread::yield_now();
    }
    job.answer.load(Ordering::Relaxed)
}
// ANCHOR_END: job

// ANCHOR: model
// Continued from the previous part.
/// One worker, and `main` waiting for its answer.
fn hand_over() {
    let job = Arc::new(Job {
        steps_done: AtomicU32::new(0),
        answer: AtomicU64::new(0),
        done: AtomicBool::new(false),
    });
    let worker = {
        let job = Arc::clone(&job);
        thread::spawn(move || work(&job))
    };
    let answer = wait_for_answer(&job);
    assert_eq!(answer, ANSWER, "the answer was read before it arrived");
    worker.join().unwrap();
    assert_eq!(job.steps_done.load(Ordering::Relaxed), STEPS);
}
// ANCHOR_END: model

fn main() {
    // loom reports a bug by panicking: keep its message, and silence the
    // default report, which would also print a path inside loom's source.
    panic::set_hook(Box::new(|_| {}));
    let finding = panic::catch_unwind(|| loom::model(hand_over));
    let _ = panic::take_hook();
    match finding {
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("(a panic without a message)");
            // Each line of loom's message gets the prefix.
            let message = message.trim().replace('\n', "\ncheck: ");
            println!("check: loom found a bug: {message}");
        }
        Ok(()) => println!("check: loom found no bug in the executions it explores"),
    }
}
