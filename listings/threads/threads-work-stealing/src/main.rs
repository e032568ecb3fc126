use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use crossbeam::deque::{Injector, Steal, Stealer, Worker};

const LIMIT: u64 = 300_000;
const PRIMES_BELOW_LIMIT: usize = 25_997;
/// Ranges at most this long are counted; longer ones are split in two.
const SMALLEST: u64 = 2_000;
const WORKERS: usize = 4;

fn is_prime(n: u64) -> bool {
    n >= 2
        && (2..)
            .take_while(|d| d * d <= n)
            .all(|d| !n.is_multiple_of(d))
}

// ANCHOR: find
/// The next task: from this worker's own deque first, then a batch from the
/// shared injector, then one stolen from another worker.
fn find_task<T>(
    local: &Worker<T>,
    global: &Injector<T>,
    others: &[Stealer<T>],
) -> Option<(T, bool)> {
    if let Some(task) = local.pop() {
        return Some((task, false));
    }
    loop {
        // Retry means "lost a race with another thread, try again".
        match global.steal_batch_and_pop(local) {
            Steal::Success(task) => return Some((task, false)),
            Steal::Retry => continue,
            Steal::Empty => {}
        }
        // Collecting steals tries each stealer until one succeeds.
        match others.iter().map(Stealer::steal).collect::<Steal<T>>() {
            Steal::Success(task) => return Some((task, true)),
            Steal::Retry => continue,
            Steal::Empty => return None,
        }
    }
}
// ANCHOR_END: find

fn main() {
    // ANCHOR: main
    let injector = Injector::new();
    // One task to start with: the whole range. Workers split it as they go.
    injector.push(0..LIMIT);
    let pending = AtomicUsize::new(1);
    let primes = AtomicUsize::new(0);
    let locals: Vec<Worker<Range<u64>>> = (0..WORKERS).map(|_| Worker::new_lifo()).collect();
    let stealers: Vec<Stealer<Range<u64>>> = locals.iter().map(Worker::stealer).collect();

    let stolen_per_worker: Vec<usize> = thread::scope(|scope| {
        let handles: Vec<_> = locals
            .into_iter()
            .enumerate()
            .map(|(me, local)| {
                let others: Vec<_> = (0..WORKERS)
                    .filter(|&w| w != me)
                    .map(|w| stealers[w].clone())
                    .collect();
                let (injector, pending, primes) = (&injector, &pending, &primes);
                scope.spawn(move || {
                    let mut stolen = 0;
                    // Stop when no task is pending anywhere, not merely when
                    // this worker finds nothing: another may still split one.
                    while pending.load(Ordering::SeqCst) > 0 {
                        let Some((range, was_stolen)) = find_task(&local, injector, &others) else {
                            thread::yield_now();
                            continue;
                        };
                        stolen += usize::from(was_stolen);
                        if range.end - range.start > SMALLEST {
                            let middle = range.start + (range.end - range.start) / 2;
                            // One task becomes two: one more pending.
                            pending.fetch_add(1, Ordering::SeqCst);
                            local.push(range.start..middle);
                            local.push(middle..range.end);
                        } else {
                            let found = range.filter(|&n| is_prime(n)).count();
                            primes.fetch_add(found, Ordering::SeqCst);
                            pending.fetch_sub(1, Ordering::SeqCst);
                        }
                    }
                    stolen
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    // ANCHOR_END: main
    let primes = primes.into_inner();
    println!("{WORKERS} workers counted {primes} primes below {LIMIT}");
    println!("tasks stolen from another worker, per worker: {stolen_per_worker:?}");
    if primes == PRIMES_BELOW_LIMIT {
        println!("the right answer");
    } else {
        println!("wrong: expected {PRIMES_BELOW_LIMIT}");
        std::process::exit(1);
    }
}
