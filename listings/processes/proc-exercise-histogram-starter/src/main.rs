use std::error::Error;
use std::num::NonZeroUsize;
use std::process;
use std::sync::atomic::{AtomicU64, Ordering};

use nix::sys::mman::{MapFlags, ProtFlags, mmap_anonymous};
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid, fork, read};

const PROCESSES: u64 = 4;
const N: u64 = 4_000_000;
/// The race loses counts nearly always, not certainly: at most this many
/// rounds are tried before the starter concludes that `fill` is fixed.
const MAX_ROUNDS: u32 = 20;

type Histogram = [AtomicU64; 10];

/// Ten counters in memory shared with every child forked afterwards.
fn shared_histogram() -> nix::Result<&'static Histogram> {
    let length = NonZeroUsize::new(size_of::<Histogram>()).expect("not zero");
    // SAFETY: a new anonymous mapping at an address the kernel picks.
    let memory = unsafe {
        mmap_anonymous(
            None,
            length,
            ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
            MapFlags::MAP_SHARED,
        )
    }?;
    // SAFETY: page-aligned, zero-filled (ten valid AtomicU64 holding 0),
    // never unmapped.
    Ok(unsafe { memory.cast::<Histogram>().as_ref() })
}

/// The last digit of n².
fn last_digit_of_square(n: u64) -> usize {
    (n * n % 10) as usize
}

// ANCHOR: all
/// Counts the last digits of the squares of `start..end` into `histogram`.
fn fill(histogram: &Histogram, start: u64, end: u64) {
    for n in start..end {
        // TODO: other processes write the same counters at the same time.
        let counter = &histogram[last_digit_of_square(n)];
        let seen = counter.load(Ordering::Relaxed);
        counter.store(seen + 1, Ordering::Relaxed);
    }
}
// ANCHOR_END: all

/// Forks one child per share; they start together when `main` opens the
/// gate, each runs `fill`, and every child is reaped even after a failure.
fn run_children(histogram: &'static Histogram) -> Result<(), Box<dyn Error>> {
    let (gate, gate_opener) = std::io::pipe()?;
    let share = N / PROCESSES;
    let mut children: Vec<Pid> = Vec::new();
    let mut fork_error = None;
    for i in 0..PROCESSES {
        // SAFETY: this program starts no threads: it is single-threaded.
        match unsafe { fork() } {
            Ok(ForkResult::Child) => {
                drop(gate_opener);
                let code = match read(&gate, &mut [0]) {
                    Ok(_) => {
                        fill(histogram, i * share + 1, (i + 1) * share + 1);
                        0
                    }
                    Err(_) => 1,
                };
                process::exit(code);
            }
            Ok(ForkResult::Parent { child }) => children.push(child),
            Err(e) => {
                fork_error = Some(e);
                break;
            }
        }
    }
    drop(gate_opener); // every child starts now
    let mut failures = Vec::new();
    for child in children {
        match waitpid(child, None) {
            Ok(WaitStatus::Exited(_, 0)) => {}
            other => failures.push(format!("{other:?}")),
        }
    }
    if let Some(e) = fork_error {
        return Err(format!("fork failed: {e}").into());
    }
    if !failures.is_empty() {
        return Err(format!("children failed: {}", failures.join(", ")).into());
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let histogram = shared_histogram()?;
    let mut rounds = 0;
    let counts: Vec<u64> = loop {
        rounds += 1;
        for counter in histogram {
            counter.store(0, Ordering::Relaxed);
        }
        run_children(histogram)?;
        let counts: Vec<u64> = histogram
            .iter()
            .map(|c| c.load(Ordering::Relaxed))
            .collect();
        if counts.iter().sum::<u64>() < N || rounds == MAX_ROUNDS {
            break counts; // the bug showed, or no round lost a count
        }
    };
    let mut expected = [0u64; 10];
    for n in 1..=N {
        expected[last_digit_of_square(n)] += 1;
    }
    for digit in 0..10 {
        if expected[digit] > 0 {
            println!(
                "last digit {digit}: {:>6} (expected {:>6})",
                counts[digit], expected[digit]
            );
        }
    }
    let total: u64 = counts.iter().sum();
    println!("counted {total} of {N}: lost {} updates", N - total);
    if total == N {
        println!("no update lost in {rounds} rounds: solved");
    } else {
        // The starter runs to the end so you can see the lost counts.
        println!("not finished: make every update count");
    }
    Ok(())
}
