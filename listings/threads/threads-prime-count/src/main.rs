use std::env;
use std::process::ExitCode;
use std::thread;
use std::time::{Duration, Instant};

/// Count the primes below this number...
const LIMIT: u64 = 1_000_000;
/// ...and check the count against the known answer.
const PRIMES_BELOW_LIMIT: usize = 78_498;
/// The size of the blocks that the balanced split deals out.
const BLOCK: u64 = 1_000;
/// How many times every split is measured.
const ROUNDS: usize = 2;

/// Trial division: deliberately slow, CPU-bound work. An odd prime p costs
/// about sqrt(p) divisions; an even number costs one. Returns whether `n` is
/// prime and how many divisions it took: the work, counted.
fn is_prime(n: u64) -> (bool, u64) {
    if n < 2 {
        return (false, 0);
    }
    let mut divisor = 2;
    while divisor * divisor <= n {
        if n.is_multiple_of(divisor) {
            return (false, divisor - 1);
        }
        divisor += 1;
    }
    (true, divisor - 2)
}

// ANCHOR: splits
/// Worker `w` of `workers` takes one contiguous range.
fn contiguous(w: u64, workers: u64) -> impl Iterator<Item = u64> {
    w * LIMIT / workers..(w + 1) * LIMIT / workers
}

/// Worker `w` takes every number n with n % workers == w. With 2 workers,
/// one gets all the even numbers and the other all the odd ones.
fn by_remainder(w: u64, workers: u64) -> impl Iterator<Item = u64> {
    (w..LIMIT).step_by(workers as usize)
}

/// Worker `w` takes blocks w, w + workers, w + 2 * workers... of BLOCK
/// numbers each: every worker gets small and large, odd and even numbers.
fn dealt_blocks(w: u64, workers: u64) -> impl Iterator<Item = u64> {
    (w * BLOCK..LIMIT)
        .step_by((workers * BLOCK) as usize)
        .flat_map(|start| start..(start + BLOCK).min(LIMIT))
}
// ANCHOR_END: splits

struct Run {
    primes: usize,
    elapsed: Duration,
    /// Each worker's wall-clock time from its start to its end.
    busy: Vec<Duration>,
    /// How many divisions each worker made.
    divisions: Vec<u64>,
}

/// What one worker reports.
struct Share {
    primes: usize,
    divisions: u64,
    busy: Duration,
}

/// Counts the primes among `numbers`, and the divisions it took.
fn count(numbers: impl Iterator<Item = u64>) -> (usize, u64) {
    numbers.fold((0, 0), |(primes, divisions), n| {
        let (prime, cost) = is_prime(n);
        (primes + usize::from(prime), divisions + cost)
    })
}

// ANCHOR: run
/// Counts the primes below LIMIT on `workers` threads, each counting the
/// numbers that `share` gives it.
fn run<I>(workers: u64, share: impl Fn(u64, u64) -> I + Sync) -> Run
where
    I: Iterator<Item = u64>,
{
    let started = Instant::now();
    let shares: Vec<Share> = thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                let share = &share;
                scope.spawn(move || {
                    let busy_since = Instant::now();
                    let (primes, divisions) = count(share(w, workers));
                    let busy = busy_since.elapsed();
                    Share {
                        primes,
                        divisions,
                        busy,
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a counting thread panicked"))
            .collect()
    });
    Run {
        primes: shares.iter().map(|s| s.primes).sum(),
        elapsed: started.elapsed(),
        busy: shares.iter().map(|s| s.busy).collect(),
        divisions: shares.iter().map(|s| s.divisions).collect(),
    }
}
// ANCHOR_END: run

/// Each worker's share of the divisions, in whole percent.
fn percentages(divisions: &[u64]) -> String {
    let all: u64 = divisions.iter().sum();
    let shares: Vec<String> = divisions
        .iter()
        .map(|&d| format!("{}%", (d * 100 + all / 2) / all))
        .collect();
    shares.join(" ")
}

/// How each split divides the work between 2 threads, whatever the number
/// of cores: counted divisions, no clock, so the same on every run. With 2
/// threads the timed runs have counted them already; otherwise count them
/// here, once per number, and add them up per worker for each split.
fn two_thread_shares(runs: &[(&str, Run)], threads: u64) -> String {
    let per_split: Vec<String> = if threads == 2 {
        runs[1..]
            .iter()
            .map(|(_, run)| percentages(&run.divisions))
            .collect()
    } else {
        let cost: Vec<u64> = (0..LIMIT).map(|n| is_prime(n).1).collect();
        let shares = |split: fn(u64, u64) -> Box<dyn Iterator<Item = u64>>| {
            let divisions: Vec<u64> = (0..2)
                .map(|w| split(w, 2).map(|n| cost[n as usize]).sum())
                .collect();
            percentages(&divisions)
        };
        vec![
            shares(|w, t| Box::new(contiguous(w, t))),
            shares(|w, t| Box::new(by_remainder(w, t))),
            shares(|w, t| Box::new(dealt_blocks(w, t))),
        ]
    };
    format!(
        "divisions on 2 threads: contiguous ranges {}, n % threads {}, dealt blocks {}",
        per_split[0], per_split[1], per_split[2]
    )
}

// ANCHOR: measure
/// What `measure` can run: the job on one thread, then on `threads`
/// threads with each split.
const SPLITS: [&str; 4] = [
    "1 thread",
    "contiguous ranges",
    "n % threads",
    "dealt blocks",
];

fn measure(split: usize, threads: u64) -> Run {
    match split {
        0 => run(1, contiguous),
        1 => run(threads, contiguous),
        2 => run(threads, by_remainder),
        _ => run(threads, dealt_blocks),
    }
}
// ANCHOR_END: measure

/// One thread per core, unless `--threads N` says otherwise.
fn threads_from_args(cores: u64) -> Result<u64, String> {
    let args: Vec<String> = env::args().skip(1).collect();
    match args.as_slice() {
        [] => Ok(cores),
        [flag, count] if flag == "--threads" => count
            .parse()
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| format!("--threads needs a whole number above 0, not {count:?}")),
        _ => Err(String::from("usage: threads-prime-count [--threads N]")),
    }
}

fn main() -> ExitCode {
    // ANCHOR: main
    let cores = thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    let threads = match threads_from_args(cores) {
        Ok(threads) => threads,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    println!("cores: {cores}, threads: {threads}; counting the primes below {LIMIT}");
    // Other programs can only slow a run down: of ROUNDS measurements of
    // each split, keep the fastest. Every other round runs the splits in
    // reverse order, so that none is always measured first.
    let mut fastest: [Option<Run>; 4] = [None, None, None, None];
    for round in 0..ROUNDS {
        let mut order = [0, 1, 2, 3];
        if round % 2 == 1 {
            order.reverse();
        }
        for split in order {
            let again = measure(split, threads);
            if fastest[split]
                .as_ref()
                .is_none_or(|best| again.elapsed < best.elapsed)
            {
                fastest[split] = Some(again);
            }
        }
    }
    let runs: Vec<(&str, Run)> = SPLITS
        .into_iter()
        .zip(fastest)
        .map(|(name, run)| (name, run.expect("every split was measured")))
        .collect();
    // ANCHOR_END: main
    let baseline = runs[0].1.elapsed.as_secs_f64();
    let mut all_right = true;
    for (name, result) in &runs {
        let speedup = baseline / result.elapsed.as_secs_f64();
        let busy: Vec<String> = result
            .busy
            .iter()
            .map(|b| b.as_millis().to_string())
            .collect();
        println!(
            "{name:<18} {:>4} ms  {speedup:.2}x  busy (ms): {:<8} divisions: {}",
            result.elapsed.as_millis(),
            busy.join(" "),
            percentages(&result.divisions)
        );
        all_right &= result.primes == PRIMES_BELOW_LIMIT;
    }
    println!("{}", two_thread_shares(&runs, threads));
    if all_right {
        println!("every run found {PRIMES_BELOW_LIMIT} primes, the right answer");
        ExitCode::SUCCESS
    } else {
        println!("wrong answer: a run did not find {PRIMES_BELOW_LIMIT} primes");
        ExitCode::FAILURE
    }
}
