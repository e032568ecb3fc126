use std::error::Error;
use std::fs::File;
use std::io::{Read, Write};
use std::process;

use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, fork, pipe};

const N: u64 = 1_000_000;
const CHILDREN: u64 = 4;

/// 1² + 2² + ... + N², by the closed formula, to check the answer.
const EXPECTED: u64 = N * (N + 1) * (2 * N + 1) / 6;

fn sum_of_squares(start: u64, end: u64) -> u64 {
    (start..end).map(|k| k * k).sum()
}

// ANCHOR: all
fn main() -> Result<(), Box<dyn Error>> {
    let share = N / CHILDREN;
    let mut children = Vec::new();
    for i in 0..CHILDREN {
        // One pipe per child: it writes exactly 8 bytes, its partial sum.
        let (read_end, write_end) = pipe()?;
        // SAFETY: this program starts no threads: it is single-threaded.
        match unsafe { fork() }? {
            ForkResult::Child => {
                drop(read_end);
                let sum = sum_of_squares(i * share + 1, (i + 1) * share + 1);
                let sent = File::from(write_end).write_all(&sum.to_le_bytes());
                process::exit(if sent.is_ok() { 0 } else { 1 });
            }
            ForkResult::Parent { child } => {
                drop(write_end); // keep only the child's copy open
                children.push((child, File::from(read_end)));
            }
        }
    }
    let mut total = 0;
    let mut failures = Vec::new();
    for (child, mut from_child) in children {
        let mut bytes = [0; 8];
        // A child that died before writing gives an early end of the pipe.
        let received = from_child.read_exact(&mut bytes);
        match (received, waitpid(child, None)) {
            (Ok(()), Ok(WaitStatus::Exited(_, 0))) => total += u64::from_le_bytes(bytes),
            (received, status) => failures.push(format!("{received:?}, {status:?}")),
        }
    }
    if !failures.is_empty() {
        return Err(format!("children failed: {}", failures.join("; ")).into());
    }
    println!("sum of squares up to {N}: {total} (expected {EXPECTED})");
    if total != EXPECTED {
        return Err("wrong total".into());
    }
    Ok(())
}
// ANCHOR_END: all
