use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Mutex, TryLockError};
use std::thread;
use std::time::{Duration, Instant};

const THREADS: usize = 4;
const HITS_PER_THREAD: usize = 500;
const PAGES: usize = 1_000;

// ANCHOR: timed
/// Per thread: how often a lock was already taken when it asked, how long
/// it waited in those calls, and how long it held locks.
#[derive(Default, Clone, Copy)]
struct LockTimes {
    acquisitions: u64,
    contended: u64,
    waiting: Duration,
    holding: Duration,
}

/// Stands in for slow work done while the lock is held: a write to a log
/// file, a call to a cache server.
fn save_to_audit_log(_page: usize) {
    thread::sleep(Duration::from_micros(50));
}

/// Adds one hit to `page` in `counts`, timing the wait and the hold.
fn record_hit(counts: &Mutex<HashMap<usize, u64>>, page: usize, times: &mut LockTimes) {
    let mut guard = match counts.try_lock() {
        Ok(guard) => guard,
        Err(TryLockError::WouldBlock) => {
            // Taken: count it, and time how long the wait lasts.
            let asked = Instant::now();
            let guard = counts.lock().unwrap();
            times.contended += 1;
            times.waiting += asked.elapsed();
            guard
        }
        Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
    };
    let got = Instant::now();
    *guard.entry(page).or_insert(0) += 1;
    save_to_audit_log(page);
    // Read the clock before unlocking: the unlock may wake a waiting thread
    // (a futex system call), which is not time spent holding the lock.
    times.holding += got.elapsed();
    drop(guard);
    times.acquisitions += 1;
}
// ANCHOR_END: timed

// ANCHOR: sharded
/// The fix: many small maps, each behind its own lock. A page always goes
/// to the same shard, so two threads meet only when their pages share one.
struct ShardedCounts {
    shards: Vec<Mutex<HashMap<usize, u64>>>,
    hasher: RandomState,
}

impl ShardedCounts {
    fn new(shards: usize) -> Self {
        let shards = (0..shards).map(|_| Mutex::new(HashMap::new())).collect();
        ShardedCounts {
            shards,
            hasher: RandomState::new(),
        }
    }

    fn shard(&self, page: usize) -> &Mutex<HashMap<usize, u64>> {
        let index = self.hasher.hash_one(page) as usize % self.shards.len();
        &self.shards[index]
    }
}
// ANCHOR_END: sharded

/// The pages thread `worker` visits: a simple spread over all pages.
fn page_of(worker: usize, hit: usize) -> usize {
    (hit * 7 + worker * 13) % PAGES
}

/// Runs every worker with `lock_for(page)` choosing the lock; returns the
/// wall time and the summed lock times.
fn run<'a>(
    lock_for: impl Fn(usize) -> &'a Mutex<HashMap<usize, u64>> + Sync,
) -> (Duration, LockTimes) {
    let started = Instant::now();
    let per_thread: Vec<LockTimes> = thread::scope(|scope| {
        let workers: Vec<_> = (0..THREADS)
            .map(|worker| {
                let lock_for = &lock_for;
                scope.spawn(move || {
                    let mut times = LockTimes::default();
                    for hit in 0..HITS_PER_THREAD {
                        let page = page_of(worker, hit);
                        record_hit(lock_for(page), page, &mut times);
                    }
                    times
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    let total = per_thread
        .iter()
        .fold(LockTimes::default(), |sum, t| LockTimes {
            acquisitions: sum.acquisitions + t.acquisitions,
            contended: sum.contended + t.contended,
            waiting: sum.waiting + t.waiting,
            holding: sum.holding + t.holding,
        });
    (started.elapsed(), total)
}

fn total_hits<'a>(maps: impl Iterator<Item = &'a Mutex<HashMap<usize, u64>>>) -> u64 {
    maps.map(|map| map.lock().unwrap().values().sum::<u64>())
        .sum()
}

fn report(name: &str, wall: Duration, times: LockTimes) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let contended = 100.0 * times.contended as f64 / times.acquisitions as f64;
    println!(
        "{name}: {:.0} ms; {contended:.1}% of lock() calls found the lock taken \
         and waited {:.0} ms in all; locks held {:.0} ms in all",
        ms(wall),
        ms(times.waiting),
        ms(times.holding)
    );
}

// ANCHOR: main
fn main() {
    println!("{THREADS} threads, {HITS_PER_THREAD} hits each, {PAGES} pages");
    let one_lock = Mutex::new(HashMap::new());
    let (wall_one, times_one) = run(|_| &one_lock);
    report("one lock ", wall_one, times_one);

    let sharded = ShardedCounts::new(16);
    let (wall_sharded, times_sharded) = run(|page| sharded.shard(page));
    report("16 shards", wall_sharded, times_sharded);

    let expected = (THREADS * HITS_PER_THREAD) as u64;
    assert_eq!(total_hits(std::iter::once(&one_lock)), expected);
    assert_eq!(total_hits(sharded.shards.iter()), expected);
    println!("both versions counted {expected} hits");
    println!(
        "16 shards: {:.1}x less waiting, {:.1}x the speed of one lock",
        times_one.waiting.as_secs_f64() / times_sharded.waiting.as_secs_f64(),
        wall_one.as_secs_f64() / wall_sharded.as_secs_f64()
    );
    check_the_lesson(wall_one, times_one, times_sharded);
}
// ANCHOR_END: main

/// The lesson, as checks on the measurements: each line is printed only
/// when it holds, and the program fails if one does not.
fn check_the_lesson(wall_one: Duration, one: LockTimes, sharded: LockTimes) {
    let verdicts = [
        (
            one.holding <= wall_one,
            "one lock: the holds never overlapped (their sum fits in the wall time)",
        ),
        (
            one.waiting > one.holding,
            "one lock: the threads waited longer for the lock than they held it",
        ),
        (
            sharded.waiting < one.waiting,
            "16 shards: the threads waited less than with one lock",
        ),
    ];
    let mut all_held = true;
    for (holds, verdict) in verdicts {
        if holds {
            println!("{verdict}");
        } else {
            eprintln!("not shown: {verdict}");
            all_held = false;
        }
    }
    if !all_held {
        std::process::exit(1);
    }
}
