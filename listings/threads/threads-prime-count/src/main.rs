use std::env;
use std::io::{self, BufRead, BufReader};
use std::process::{Child, Command, ExitCode, Stdio};
use std::thread;
use std::time::{Duration, Instant};

// ANCHOR: cpu_time
use nix::sys::resource::{UsageWho, getrusage};
use nix::sys::time::TimeValLike;
// ANCHOR_END: cpu_time

/// Count the primes below this number...
const LIMIT: u64 = 150_000;
/// ...and check the count against the known answer.
const PRIMES_BELOW_LIMIT: usize = 13_848;
/// How many times each variant is measured.
const ROUNDS: usize = 6;
/// The size of the blocks that the balanced split deals out.
const BLOCK: u64 = 1_000;
/// The competitor of `--busy-core` stops by itself after this long, even if
/// nobody stops it.
const SPIN_AT_MOST: Duration = Duration::from_secs(20);

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
// Continued from the previous part.
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

// ANCHOR: cpu_time
/// The CPU time this process has used so far, all its threads together:
/// user plus system time, as the kernel counts it. Time spent waiting for
/// a core is not in it; caches and memory shared with other programs can
/// still make the same work cost a little more of it.
fn cpu_time() -> Duration {
    let usage = getrusage(UsageWho::RUSAGE_SELF).expect("getrusage of this process");
    let micros = (usage.user_time() + usage.system_time()).num_microseconds();
    Duration::from_micros(micros.try_into().expect("a CPU time is not negative"))
}
// ANCHOR_END: cpu_time

#[derive(Default)]
struct Run {
    primes: usize,
    wall: Duration,
    cpu: Duration,
    /// How many divisions each worker made.
    divisions: Vec<u64>,
    /// How many of the measurements added up here found a wrong count.
    wrong_answers: usize,
}

impl Run {
    /// Keeps the faster of this measurement and another of the same
    /// variant, and counts the wrong answers of both.
    fn keep_faster(&mut self, again: Run) {
        let wrong = self.wrong_answers + usize::from(again.primes != PRIMES_BELOW_LIMIT);
        if self.wall.is_zero() || again.wall < self.wall {
            *self = again;
        }
        self.wrong_answers = wrong;
    }
}

/// Counts the primes among `numbers`, and the divisions it took.
fn count(numbers: impl Iterator<Item = u64>) -> (usize, u64) {
    numbers.fold((0, 0), |(primes, divisions), n| {
        let (prime, cost) = is_prime(n);
        (primes + usize::from(prime), divisions + cost)
    })
}

// ANCHOR: run
// Continued from the previous part.
/// Counts the primes below LIMIT on `workers` threads, each counting the
/// numbers that `share` gives it. Measures wall time and CPU time.
fn run<I>(workers: u64, share: impl Fn(u64, u64) -> I + Sync) -> Run
where
    I: Iterator<Item = u64>,
{
    let (wall_start, cpu_start) = (Instant::now(), cpu_time());
    let counts: Vec<(usize, u64)> = thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                let share = &share;
                scope.spawn(move || count(share(w, workers)))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a counting thread panicked"))
            .collect()
    });
    let (wall, cpu) = (wall_start.elapsed(), cpu_time() - cpu_start);
    Run {
        primes: counts.iter().map(|&(primes, _)| primes).sum(),
        wall,
        cpu,
        divisions: counts.iter().map(|&(_, divisions)| divisions).collect(),
        wrong_answers: 0,
    }
}
// ANCHOR_END: run

/// The variants `main` measures: the job on one thread, then on `threads`
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

/// Measures every variant on `threads` threads. The variants take turns,
/// ROUNDS times, and each keeps its fastest turn: other programs can slow a
/// turn down, never speed it up.
fn fastest_turns(threads: u64) -> Vec<(&'static str, Run)> {
    let mut runs: Vec<(&str, Run)> = SPLITS.map(|name| (name, Run::default())).into();
    for _ in 0..ROUNDS {
        for (split, (_, fastest)) in runs.iter_mut().enumerate() {
            fastest.keep_faster(measure(split, threads));
        }
    }
    runs
}

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

/// What the command line asks for.
enum Mode {
    /// Measure every variant on `threads` threads, with a competitor
    /// spinning on one core if `busy_core`.
    Measure { threads: u64, busy_core: bool },
    /// Be that competitor: spin on one core (see `spin`).
    Spin,
}

/// One thread per core, unless `--threads N` says otherwise.
fn mode_from_args(cores: u64) -> Result<Mode, String> {
    let args: Vec<String> = env::args().skip(1).collect();
    let measure = |threads| Mode::Measure {
        threads,
        busy_core: false,
    };
    match args.as_slice() {
        [] => Ok(measure(cores)),
        [flag] if flag == "--busy-core" => Ok(Mode::Measure {
            threads: cores,
            busy_core: true,
        }),
        [flag] if flag == "--spin" => Ok(Mode::Spin),
        [flag, count] if flag == "--threads" => count
            .parse()
            .ok()
            .filter(|&n| n > 0)
            .map(measure)
            .ok_or_else(|| format!("--threads needs a whole number above 0, not {count:?}")),
        _ => Err(String::from(
            "usage: threads-prime-count [--threads N | --busy-core]",
        )),
    }
}

/// The competitor: says that it has started, then keeps one core busy
/// until it is killed, or for SPIN_AT_MOST if nobody kills it.
fn spin() {
    println!("spinning");
    let started = Instant::now();
    while started.elapsed() < SPIN_AT_MOST {}
}

/// Starts this program again as a competitor that holds one core, and
/// returns once it runs: its first line says so.
fn start_competitor() -> io::Result<Child> {
    let mut child = Command::new(env::current_exe()?)
        .arg("--spin")
        .stdout(Stdio::piped())
        .spawn()?;
    let stdout = child.stdout.take().expect("the child's stdout is piped");
    BufReader::new(stdout).read_line(&mut String::new())?;
    Ok(child)
}

/// Prints one line per variant: wall time, CPU time, how many cores were
/// busy on average (CPU time / wall time), the speedup over one thread, and
/// each thread's share of the divisions.
fn print_table(runs: &[(&str, Run)]) {
    println!(
        "{:<18} {:>8} {:>8} {:>10} {:>8}  divisions",
        "", "wall", "CPU", "cores busy", "speedup"
    );
    let baseline = runs[0].1.wall.as_secs_f64();
    for (name, run) in runs {
        let (wall, cpu) = (run.wall.as_secs_f64(), run.cpu.as_secs_f64());
        println!(
            "{name:<18} {:>5.1} ms {:>5.1} ms {:>10.2} {:>7.2}x  {}",
            wall * 1000.0,
            cpu * 1000.0,
            cpu / wall,
            baseline / wall,
            percentages(&run.divisions)
        );
    }
}

fn main() -> ExitCode {
    let cores = thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    let (threads, busy_core) = match mode_from_args(cores) {
        Ok(Mode::Measure { threads, busy_core }) => (threads, busy_core),
        Ok(Mode::Spin) => {
            spin();
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let competitor = match busy_core.then(start_competitor).transpose() {
        Ok(competitor) => competitor,
        Err(e) => {
            eprintln!("cannot start the competitor: {e}");
            return ExitCode::FAILURE;
        }
    };
    print!("cores: {cores}, threads: {threads}; counting the primes below {LIMIT}");
    println!("{}", if busy_core { ", one core busy" } else { "" });
    let runs = fastest_turns(threads);
    if let Some(mut competitor) = competitor {
        // Killing a child that already ended is no error worth reporting;
        // waiting for it is what leaves no process behind.
        let _ = competitor.kill();
        let _ = competitor.wait();
    }
    print_table(&runs);
    println!("{}", two_thread_shares(&runs, threads));
    if runs.iter().all(|(_, run)| run.wrong_answers == 0) {
        println!("every run found {PRIMES_BELOW_LIMIT} primes, the right answer");
        ExitCode::SUCCESS
    } else {
        println!("wrong answer: a run did not find {PRIMES_BELOW_LIMIT} primes");
        ExitCode::FAILURE
    }
}
