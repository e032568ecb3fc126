// ANCHOR: allocate
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;

const MAX_IDS: u32 = 1000;
static NEXT_ID: AtomicU32 = AtomicU32::new(0);

/// The next free ID, or `None` once all `MAX_IDS` are taken.
fn allocate_id() -> Option<u32> {
    let mut current = NEXT_ID.load(Ordering::Relaxed);
    loop {
        if current >= MAX_IDS {
            return None; // NEXT_ID never moves past MAX_IDS
        }
        let next = current + 1;
        match NEXT_ID.compare_exchange_weak(current, next, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return Some(current),
            // Another thread changed it first: retry from the value it left.
            Err(actual) => current = actual,
        }
    }
}
// ANCHOR_END: allocate

// ANCHOR: wrap
// ANCHOR: main
// Continued from the previous part.
fn main() {
    // ANCHOR_END: wrap
    // Four threads ask for 300 IDs each: 1200 requests for 1000 IDs.
    let mut given: Vec<u32> = thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| (0..300).filter_map(|_| allocate_id()).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let handed_out = given.len();
    given.sort_unstable();
    given.dedup();
    println!(
        "1200 requests: {handed_out} IDs given, {} refused",
        1200 - handed_out
    );
    let (first, last) = (given[0], given[given.len() - 1]);
    println!("distinct IDs: {}, from {first} to {last}", given.len());
    // ANCHOR_END: main

    // ANCHOR: wrap
    // What fetch_add does at the top of the range instead.
    let counter = AtomicU32::new(u32::MAX);
    let before = counter.fetch_add(1, Ordering::Relaxed);
    let after = counter.fetch_add(1, Ordering::Relaxed);
    println!("fetch_add at u32::MAX returned {before}, then {after}: ID 0 again");
    // ANCHOR: main
}
// ANCHOR_END: main
// ANCHOR_END: wrap
