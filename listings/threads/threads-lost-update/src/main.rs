use std::sync::Barrier;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::thread;

const THREADS: usize = 4;
const VISITS_PER_THREAD: usize = 100_000;

fn main() {
    // ANCHOR: forced
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
    // With nothing between the load and the store, the same bug strikes only
    // when two threads happen to interleave there, which is worse: it passes
    // a quick test and loses counts under load.
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
    let expected = THREADS * VISITS_PER_THREAD;
    println!(
        "load, then store: {expected} visits counted as {}",
        visits.load(SeqCst)
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
    // ANCHOR_END: free
}
