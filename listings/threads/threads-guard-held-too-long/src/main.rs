// ANCHOR: while_let
use std::collections::VecDeque;
use std::sync::{Mutex, TryLockError};

/// Asks, without waiting, whether some guard is alive. std's try_lock
/// returns WouldBlock even when the guard is held by this same thread; lock()
/// would deadlock instead (or panic).
fn lock_state<T>(queue: &Mutex<T>) -> &'static str {
    match queue.try_lock() {
        Ok(_) => "free",
        Err(TryLockError::WouldBlock) => "LOCKED",
        Err(TryLockError::Poisoned(_)) => "poisoned",
    }
}

// ANCHOR: editions
// ANCHOR: fixed
fn main() {
    // ANCHOR_END: fixed
    // ANCHOR_END: editions
    let queue = Mutex::new(VecDeque::from(["resize photo", "send email"]));

    // The guard is a temporary of the `while let` condition: on each pass it
    // lives until the body ends, in every edition. Other workers wait.
    while let Some(job) = queue.lock().unwrap().pop_front() {
        println!("while let, doing {job:?}: queue {}", lock_state(&queue));
    }
    // ANCHOR_END: while_let

    // ANCHOR: fixed
    // Continued from the previous part.
    // The fix: take the job in its own statement; the guard is dropped at
    // its semicolon, before the work starts.
    queue.lock().unwrap().extend(["resize photo", "send email"]);
    loop {
        let next = queue.lock().unwrap().pop_front();
        let Some(job) = next else { break };
        println!("own statement, doing {job:?}: queue {}", lock_state(&queue));
    }
    // ANCHOR_END: fixed

    // ANCHOR: editions
    // Continued from the previous part.
    // `if let ... else`: edition 2021 keeps the guard alive in the else
    // branch too; edition 2024 drops it before the else branch runs.
    if let Some(job) = queue.lock().unwrap().pop_front() {
        println!("if let, doing {job:?}: queue {}", lock_state(&queue));
    } else {
        println!("if let, else branch: queue {}", lock_state(&queue));
    }

    // The tail expression of a block: edition 2021 keeps its temporaries
    // until the end of the enclosing statement, edition 2024 drops them at
    // the end of the block.
    let (waiting, state) = ({ queue.lock().unwrap().len() }, lock_state(&queue));
    println!("block tail, after the block: {waiting} waiting, queue {state}");
    // ANCHOR_END: editions
    exit_unless_edition_2024_dropped_the_guards(&queue);
    // ANCHOR: editions
    // ANCHOR: fixed
    // ANCHOR: while_let
}
// ANCHOR_END: while_let
// ANCHOR_END: fixed
// ANCHOR_END: editions

/// The last two lines above show what edition 2024 changed. Built with an
/// older edition, the same two constructs keep the guard alive: say so and
/// fail, rather than print a lesson that did not happen.
fn exit_unless_edition_2024_dropped_the_guards(queue: &Mutex<VecDeque<&str>>) {
    let in_else = if let Some(_job) = queue.lock().unwrap().pop_front() {
        "a job"
    } else {
        lock_state(queue)
    };
    let (_, after_tail) = ({ queue.lock().unwrap().len() }, lock_state(queue));
    if in_else != "free" || after_tail != "free" {
        eprintln!(
            "check: the guards lived on (else branch: {in_else}, block tail: {after_tail}): this was not built as edition 2024"
        );
        std::process::exit(1);
    }
}
