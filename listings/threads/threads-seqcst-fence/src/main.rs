//! Store buffering: two threads each store `true` to their own flag, then
//! load the other thread's flag. `main` asks loom for every outcome its model
//! allows, once with a `SeqCst` fence between the store and the load, once
//! with `Release` and `Acquire` and no fence.

use std::collections::BTreeSet;
use std::process::ExitCode;
use std::sync::Mutex;

use loom::sync::Arc;
use loom::sync::atomic::{AtomicBool, Ordering, fence};
use loom::thread;

// ANCHOR: fenced
/// Set my flag, then read the other one. With the fence, at least one of
/// the two threads is sure to see the other's flag.
fn fenced(mine: &AtomicBool, other: &AtomicBool) -> bool {
    mine.store(true, Ordering::Relaxed);
    fence(Ordering::SeqCst);
    other.load(Ordering::Relaxed)
}

/// The same without a fence: `Release` and `Acquire` do not forbid both
/// threads from reading `false`.
fn release_acquire(mine: &AtomicBool, other: &AtomicBool) -> bool {
    mine.store(true, Ordering::Release);
    other.load(Ordering::Acquire)
}
// ANCHOR_END: fenced

// ANCHOR: model
// Continued from the previous part.
/// Every pair (what thread a read, what thread b read) that loom's model allows.
fn outcomes(step: fn(&AtomicBool, &AtomicBool) -> bool) -> BTreeSet<(bool, bool)> {
    // `seen` outlives loom's runs, so it is std's `Arc` and `Mutex`; inside a
    // run, the flags use loom's `Arc`, whose clones and drops loom follows.
    let seen = std::sync::Arc::new(Mutex::new(BTreeSet::new()));
    let record = std::sync::Arc::clone(&seen);
    loom::model(move || {
        let a = Arc::new(AtomicBool::new(false));
        let b = Arc::new(AtomicBool::new(false));
        let thread_a = {
            let (a, b) = (Arc::clone(&a), Arc::clone(&b));
            thread::spawn(move || step(&a, &b))
        };
        let b_read = step(&b, &a);
        let a_read = thread_a.join().unwrap();
        record.lock().unwrap().insert((a_read, b_read));
    });
    seen.lock().unwrap().clone()
}
// ANCHOR_END: model

fn main() -> ExitCode {
    let with_fence = outcomes(fenced);
    let without = outcomes(release_acquire);
    println!("SeqCst fence:          {with_fence:?}");
    println!("Release/Acquire only: {without:?}");
    let both_false = (false, false);
    if !with_fence.contains(&both_false) && without.contains(&both_false) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
