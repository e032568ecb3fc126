use std::error::Error;
use std::process;

use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, fork};

const N: u64 = 1_000_000;
const CHILDREN: u64 = 4;

/// 1² + 2² + ... + N², by the closed formula, to check the answer.
const EXPECTED: u64 = N * (N + 1) * (2 * N + 1) / 6;

fn sum_of_squares(start: u64, end: u64) -> u64 {
    (start..end).map(|k| k * k).sum()
}

// ANCHOR: all
fn main() -> Result<(), Box<dyn Error>> {
    let mut partial_sums = vec![0; CHILDREN as usize];
    let share = N / CHILDREN;
    let mut children = Vec::new();
    let mut fork_error = None;
    for i in 0..CHILDREN {
        // SAFETY: this program starts no threads: it is single-threaded.
        match unsafe { fork() } {
            Ok(ForkResult::Child) => {
                // TODO: this writes to the child's copy of the vector only.
                partial_sums[i as usize] = sum_of_squares(i * share + 1, (i + 1) * share + 1);
                process::exit(0);
            }
            Ok(ForkResult::Parent { child }) => children.push(child),
            Err(e) => {
                fork_error = Some(e); // reap the children already started first
                break;
            }
        }
    }
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
    let total: u64 = partial_sums.iter().sum();
    println!("sum of squares up to {N}: {total} (expected {EXPECTED})");
    if total != EXPECTED {
        // The starter runs to the end so you can see the wrong total.
        println!("not finished: the partial sums never reached the parent");
    }
    Ok(())
}
// ANCHOR_END: all
