use std::error::Error;
use std::io::{self, PipeReader, Read, Write};
use std::process;

use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid, fork};

const N: u64 = 1_000_000;
const CHILDREN: u64 = 4;

/// 1² + 2² + ... + N², by the closed formula, to check the answer.
const EXPECTED: u64 = N * (N + 1) * (2 * N + 1) / 6;

fn sum_of_squares(start: u64, end: u64) -> u64 {
    (start..end).map(|k| k * k).sum()
}

// ANCHOR: child
/// Forks the child that sums the `i`-th share; returns its pid and the read
/// end of the pipe on which it sends its 8 bytes.
fn start_child(i: u64) -> Result<(Pid, PipeReader), Box<dyn Error>> {
    let share = N / CHILDREN;
    // std::io::pipe: close-on-exec, though nothing here execs.
    let (read_end, mut write_end) = io::pipe()?;
    // SAFETY: this program starts no threads: it is single-threaded.
    match unsafe { fork() }? {
        ForkResult::Child => {
            drop(read_end);
            let sum = sum_of_squares(i * share + 1, (i + 1) * share + 1);
            let sent = write_end.write_all(&sum.to_le_bytes());
            process::exit(if sent.is_ok() { 0 } else { 1 });
        }
        // Our copy of the write end is dropped on return: only the child's
        // stays open, so a child that dies early gives an end of the pipe.
        ForkResult::Parent { child } => Ok((child, read_end)),
    }
}
// ANCHOR_END: child

// ANCHOR: main
fn main() -> Result<(), Box<dyn Error>> {
    let mut children = Vec::new();
    let mut start_error = None;
    for i in 0..CHILDREN {
        match start_child(i) {
            Ok(child) => children.push(child),
            Err(e) => {
                start_error = Some(e); // reap the ones already started first
                break;
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
    if let Some(e) = start_error {
        return Err(format!("cannot start a child: {e}").into());
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
// ANCHOR_END: main
