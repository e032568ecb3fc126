use std::error::Error;
use std::mem::size_of;
use std::num::NonZeroUsize;
use std::process;
use std::sync::atomic::{AtomicU64, Ordering};

use nix::sys::mman::{MapFlags, ProtFlags, mmap_anonymous};
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid, fork, read};

const PROCESSES: u64 = 4;
const INCREMENTS: u64 = 1_000_000;
/// How many rounds are tried, at most, before concluding nothing is lost.
const MAX_ROUNDS: u32 = 20;

// ANCHOR: mapping
/// A counter in memory that this process shares with every child it forks
/// afterwards. It is never unmapped, so `'static` is true.
fn shared_counter() -> nix::Result<&'static AtomicU64> {
    let length = NonZeroUsize::new(size_of::<AtomicU64>()).expect("not zero");
    // SAFETY: a new anonymous mapping at an address the kernel picks:
    // no memory that Rust already uses changes.
    let memory = unsafe {
        mmap_anonymous(
            None,
            length,
            ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
            MapFlags::MAP_SHARED,
        )
    }?;
    // SAFETY: the mapping is page-aligned, zero-filled (a valid AtomicU64
    // holding 0) and stays mapped for the rest of the process.
    Ok(unsafe { memory.cast::<AtomicU64>().as_ref() })
}
// ANCHOR_END: mapping

// ANCHOR: count
fn count(counter: &AtomicU64) {
    for _ in 0..INCREMENTS {
        // Each access is atomic, but another process can store between
        // our load and our store: its update is then overwritten.
        let seen = counter.load(Ordering::Relaxed);
        counter.store(seen + 1, Ordering::Relaxed);
    }
}
// ANCHOR_END: count

/// Waits for every child, even after a failure, then reports the failures.
fn wait_all(children: &[Pid]) -> Result<(), String> {
    let mut failures = Vec::new();
    for &child in children {
        match waitpid(child, None) {
            Ok(WaitStatus::Exited(_, 0)) => {}
            other => failures.push(format!("{other:?}")),
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!("children failed: {}", failures.join(", ")))
    }
}

/// Forks `n` children that wait at a start gate, run `work`, and exit 0.
/// The gate opens when this returns, so all of them start at once. If a
/// fork fails, the children already started are reaped before the error.
fn fork_children(n: u64, work: impl Fn()) -> Result<Vec<Pid>, Box<dyn Error>> {
    // A start gate: children wait for the end of this pipe, so they all
    // count at the same time instead of one after the other.
    let (gate, gate_opener) = std::io::pipe()?;
    let mut children = Vec::new();
    for _ in 0..n {
        // SAFETY: this program starts no threads: it is single-threaded.
        match unsafe { fork() } {
            Ok(ForkResult::Child) => {
                drop(gate_opener);
                let code = match read(&gate, &mut [0]) {
                    Ok(_) => {
                        work();
                        0
                    }
                    Err(e) => {
                        eprintln!("child: cannot wait at the gate: {e}");
                        1
                    }
                };
                process::exit(code);
            }
            Ok(ForkResult::Parent { child }) => children.push(child),
            Err(e) => {
                drop(gate_opener);
                // The fork error is the one to report; reaping comes first.
                let _ = wait_all(&children);
                return Err(format!("fork failed: {e}").into());
            }
        }
    }
    drop(gate_opener); // the last write end closes: every child starts
    Ok(children)
}

// ANCHOR: main
/// One round: four children count on the shared counter at once. Returns
/// what the counter says at the end.
fn one_round(counter: &'static AtomicU64) -> Result<u64, Box<dyn Error>> {
    counter.store(0, Ordering::Relaxed);
    let children = fork_children(PROCESSES, || count(counter))?;
    wait_all(&children)?;
    Ok(counter.load(Ordering::Relaxed))
}

fn main() -> Result<(), Box<dyn Error>> {
    let counter = shared_counter()?;
    let expected = PROCESSES * INCREMENTS;
    // The race loses updates only when two processes interleave between a
    // load and a store: nearly always, not certainly. Try a bounded number
    // of rounds, and fail if none loses anything.
    for round in 1..=MAX_ROUNDS {
        let total = one_round(counter)?;
        if total < expected {
            println!("{PROCESSES} processes added {INCREMENTS} each");
            println!(
                "counter: {total}, expected {expected}: {} updates lost (round {round})",
                expected - total
            );
            return Ok(());
        }
    }
    Err(format!("no update was lost in {MAX_ROUNDS} rounds: the processes never overlapped").into())
}
// ANCHOR_END: main
