// ANCHOR: forced
use std::sync::Barrier;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::thread;

const THREADS: usize = 4;
const VISITS_PER_THREAD: usize = 1_000_000;
/// How many times the free-running count is tried before giving up.
const MAX_ROUNDS: usize = 20;

// ANCHOR: free
fn main() {
    // ANCHOR_END: free
    // Two visitors arrive at the same moment. The barrier makes the bad
    // interleaving certain: both read the counter before either writes it.
    let visits = AtomicUsize::new(0);
    let both_have_read = Barrier::new(2);
    thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                let seen = visits.load(SeqCst);
                both_have_read.wait();
                visits.store(seen + 1, SeqCst);
            });
        }
    });
    println!(
        "load, then store: 2 visits counted as {}",
        visits.load(SeqCst)
    );
    // ANCHOR_END: forced

    // ANCHOR: free
    // Continued from the previous part.
    // With nothing between the load and the store, the same bug strikes only
    // when two threads happen to interleave there: often, but not on every
    // run. So count again, up to MAX_ROUNDS times, until a round loses some.
    let expected = THREADS * VISITS_PER_THREAD;
    let Some((round, counted)) = (1..=MAX_ROUNDS)
        .map(|round| (round, count_with_load_then_store()))
        .find(|&(_, counted)| counted < expected)
    else {
        eprintln!("no update was lost in {MAX_ROUNDS} rounds: the threads never overlapped");
        std::process::exit(1);
    };
    println!(
        "load, then store: {expected} visits counted as {counted}, {} lost (round {round})",
        expected - counted
    );

    // fetch_add reads and writes in one indivisible step: nothing can come
    // between the read and the write, so no update is lost.
    let visits = AtomicUsize::new(0);
    thread::scope(|scope| {
        for _ in 0..THREADS {
            scope.spawn(|| {
                for _ in 0..VISITS_PER_THREAD {
                    visits.fetch_add(1, SeqCst);
                }
            });
        }
    });
    println!(
        "fetch_add:        {expected} visits counted as {}",
        visits.load(SeqCst)
    );
    // ANCHOR: forced
}
// ANCHOR_END: forced
// ANCHOR_END: free

// ANCHOR: count
// Continued from the previous part.
/// Four threads count VISITS_PER_THREAD visits each, with a separate load
/// and store (SeqCst, the strongest ordering: no ordering fixes this bug).
fn count_with_load_then_store() -> usize {
    let visits = AtomicUsize::new(0);
    // Start all threads at once, so that they really count at the same time.
    let start = Barrier::new(THREADS);
    thread::scope(|scope| {
        for _ in 0..THREADS {
            scope.spawn(|| {
                start.wait();
                for _ in 0..VISITS_PER_THREAD {
                    let seen = visits.load(SeqCst);
                    visits.store(seen + 1, SeqCst);
                }
            });
        }
    });
    visits.load(SeqCst)
}
// ANCHOR_END: count
