// Everything but the transfer exists only with this crate's feature
// `deadlock-detection`, which turns on parking_lot's.
#![cfg_attr(not(feature = "deadlock-detection"), allow(dead_code, unused_imports))]

use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::{Arc, Barrier};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

struct Account {
    owner: &'static str,
    balance: Mutex<i64>,
}

// ANCHOR: transfer
/// The same naive transfer, with parking_lot's Mutex (no poisoning, so
/// `lock()` returns the guard directly).
fn transfer(from: &Account, to: &Account, cents: i64, both_locked: &Barrier) {
    let mut from_balance = from.balance.lock();
    both_locked.wait(); // make the fatal interleaving certain
    let mut to_balance = to.balance.lock(); // waits forever
    *from_balance -= cents;
    *to_balance += cents;
}
// ANCHOR_END: transfer

// ANCHOR: detect
/// Asks parking_lot for the deadlocks found since the last call, every
/// 10 ms, for at most 2 s. Each deadlock is a cycle of threads, each with
/// its id and its stack.
#[cfg(feature = "deadlock-detection")]
fn wait_for_deadlock() -> Option<Vec<(ThreadId, String)>> {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(2) {
        if let Some(cycle) = parking_lot::deadlock::check_deadlock().into_iter().next() {
            let threads = cycle.iter();
            return Some(
                threads
                    .map(|t| (t.thread_id(), format!("{:?}", t.backtrace())))
                    .collect(),
            );
        }
        thread::sleep(Duration::from_millis(10));
    }
    None
}
// ANCHOR_END: detect

/// The frames of a backtrace's text from parking_lot's slow path of `lock`
/// down to this program's `transfer`, innermost first.
fn lock_frames(backtrace: &str) -> Vec<&str> {
    let functions = backtrace
        .lines()
        .filter_map(|line| line.trim().split_once(": "))
        .map(|(_, function)| function);
    let from_lock = functions.skip_while(|function| !function.ends_with("lock_slow"));
    let mut frames = Vec::new();
    for function in from_lock {
        frames.push(function);
        if function.ends_with("::transfer") {
            break;
        }
    }
    frames
}

/// Without the feature there is no detector: the program would hang, so it
/// does not start the transfers.
#[cfg(not(feature = "deadlock-detection"))]
fn main() {
    println!(
        "built without the feature deadlock-detection: no detector, so no deadlock is started \
         (cargo run -p debug-parking-lot-deadlock --features deadlock-detection)"
    );
}

#[cfg(feature = "deadlock-detection")]
fn main() {
    let account = |owner| {
        Arc::new(Account {
            owner,
            balance: Mutex::new(10_000),
        })
    };
    let (alice, bob) = (account("Alice"), account("Bob"));
    let both_locked = Arc::new(Barrier::new(2));
    // ANCHOR: main
    let mut names: HashMap<ThreadId, String> = HashMap::new();
    for (from, to) in [(&alice, &bob), (&bob, &alice)] {
        let (from, to, both_locked) = (from.clone(), to.clone(), both_locked.clone());
        let name = format!("{} pays {}", from.owner, to.owner);
        let handle = thread::Builder::new()
            .name(name.clone())
            .spawn(move || transfer(&from, &to, 500, &both_locked))
            .unwrap();
        names.insert(handle.thread().id(), name);
    }
    let Some(cycle) = wait_for_deadlock() else {
        eprintln!("no deadlock detected within 2 s");
        std::process::exit(1);
    };
    println!(
        "parking_lot found a deadlock: a cycle of {} threads",
        cycle.len()
    );
    let mut report: Vec<(String, String)> = cycle
        .iter()
        .map(|(id, backtrace)| (names[id].clone(), backtrace.clone()))
        .collect();
    report.sort();
    for (name, backtrace) in &report {
        println!("thread \"{name}\", stuck at:");
        for frame in lock_frames(backtrace) {
            println!("    {frame}");
        }
    }
    // The deadlocked threads stay blocked for ever; returning from main
    // ends the process.
    // ANCHOR_END: main
}
