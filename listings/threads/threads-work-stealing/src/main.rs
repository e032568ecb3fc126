// ANCHOR: find
use std::num::NonZero;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use crossbeam::deque::{Injector, Steal, Stealer, Worker};
// ANCHOR_END: find

const LIMIT: u64 = 300_000;
const PRIMES_BELOW_LIMIT: usize = 25_997;
/// Ranges at most this long are counted; longer ones are split in two.
const SMALLEST: u64 = 2_000;

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

// ANCHOR: work
// Continued from the previous part.
/// The shared state of the job: the queue for outside work, the count of
/// tasks that still exist, and the result.
struct Job {
    injector: Injector<Range<u64>>,
    /// Tasks that exist anywhere, queued or running.
    pending: AtomicUsize,
    primes: AtomicUsize,
}

/// One worker's loop. Returns how many tasks it stole.
fn work(job: &Job, local: &Worker<Range<u64>>, others: &[Stealer<Range<u64>>]) -> usize {
    let mut stolen = 0;
    // Stop when no task is pending anywhere, not merely when this worker
    // finds nothing: another worker may be about to split a range.
    while job.pending.load(Ordering::Relaxed) > 0 {
        let Some((range, was_stolen)) = find_task(local, &job.injector, others) else {
            thread::yield_now();
            continue;
        };
        stolen += usize::from(was_stolen);
        if range.end - range.start > SMALLEST {
            let middle = range.start + (range.end - range.start) / 2;
            // One task becomes two: one more pending, counted before
            // either half can be taken.
            job.pending.fetch_add(1, Ordering::Relaxed);
            local.push(range.start..middle);
            local.push(middle..range.end);
        } else {
            let found = range.filter(|&n| is_prime(n)).count();
            job.primes.fetch_add(found, Ordering::Relaxed);
            // Done: only now does this task stop counting.
            job.pending.fetch_sub(1, Ordering::Relaxed);
        }
    }
    stolen
}
// ANCHOR_END: work

// ANCHOR: main
fn main() {
    // Continued from the previous part.
    // One task to start with: the whole range. Workers split it as they go.
    let job = Job {
        injector: Injector::new(),
        pending: AtomicUsize::new(1),
        primes: AtomicUsize::new(0),
    };
    job.injector.push(0..LIMIT);
    // CPU-bound work: one worker per core, and at least two, so that there
    // is someone to steal from even where the count of cores is unknown.
    let workers = thread::available_parallelism()
        .map_or(2, NonZero::get)
        .max(2);
    let locals: Vec<Worker<Range<u64>>> = (0..workers).map(|_| Worker::new_lifo()).collect();
    let stealers: Vec<Stealer<Range<u64>>> = locals.iter().map(Worker::stealer).collect();

    let stolen_per_worker: Vec<usize> = thread::scope(|scope| {
        let handles: Vec<_> = locals
            .into_iter()
            .enumerate()
            .map(|(me, local)| {
                // Every stealer but this worker's own.
                let others: Vec<_> = (0..workers)
                    .filter(|&w| w != me)
                    .map(|w| stealers[w].clone())
                    .collect();
                let job = &job;
                scope.spawn(move || work(job, &local, &others))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    // ANCHOR_END: main
    let primes = job.primes.into_inner();
    println!("{workers} workers counted {primes} primes below {LIMIT}");
    println!("tasks stolen from another worker, per worker: {stolen_per_worker:?}");
    if primes == PRIMES_BELOW_LIMIT {
        println!("check: the right answer");
    } else {
        println!("check: wrong, expected {PRIMES_BELOW_LIMIT}");
        std::process::exit(1);
    }
    // ANCHOR: main
}
// ANCHOR_END: main
