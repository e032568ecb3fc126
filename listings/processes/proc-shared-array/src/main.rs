use std::error::Error;
use std::mem::size_of;
use std::num::NonZeroUsize;
use std::process;
use std::ptr::NonNull;
use std::slice;

use nix::sys::mman::{MapFlags, ProtFlags, mmap_anonymous};
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid, fork};

// ANCHOR: all
const CHILDREN: usize = 4;
const PER_CHILD: usize = 250_000;
const LEN: usize = CHILDREN * PER_CHILD;

fn main() -> Result<(), Box<dyn Error>> {
    let base: NonNull<f64> = shared_f64s(LEN)?; // MAP_SHARED, zero-filled
    let children = fork_each(CHILDREN, |k| {
        let first = k * PER_CHILD;
        // SAFETY: the mapping holds LEN f64s, page-aligned and zero-filled
        // (0.0 is a valid f64). Elements first..first + PER_CHILD are this
        // child's alone: no other process reads or writes them while `part`
        // lives, and this process makes no other reference to them.
        let part = unsafe { slice::from_raw_parts_mut(base.as_ptr().add(first), PER_CHILD) };
        for (i, x) in part.iter_mut().enumerate() {
            *x = ((first + i) as f64).sqrt();
        }
    })?;
    wait_all(&children)?;
    // SAFETY: every child has been reaped, so nothing writes the array any
    // more, and waitpid makes their writes visible to this process (POSIX).
    let values = unsafe { slice::from_raw_parts(base.as_ptr(), LEN) };
    println!("{CHILDREN} children each filled {PER_CHILD} of {LEN} f64s");
    println!(
        "values[2] = {}, values[{PER_CHILD}] = {}, values[{}] = {}",
        values[2],
        values[PER_CHILD],
        LEN - 1,
        values[LEN - 1]
    );
    check(values)
}
// ANCHOR_END: all

/// `len` f64s of fresh memory, shared with every child forked afterwards.
/// It is never unmapped: it lives as long as the process.
fn shared_f64s(len: usize) -> nix::Result<NonNull<f64>> {
    let bytes = NonZeroUsize::new(len * size_of::<f64>()).expect("not zero");
    // SAFETY: a new anonymous mapping at an address the kernel picks: no
    // memory that Rust already uses changes.
    let memory = unsafe {
        mmap_anonymous(
            None,
            bytes,
            ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
            MapFlags::MAP_SHARED,
        )
    }?;
    Ok(memory.cast::<f64>())
}

/// Forks `n` children; child `k` runs `work(k)` and exits 0. If a fork
/// fails, the children already started are reaped before the error.
fn fork_each(n: usize, work: impl Fn(usize)) -> Result<Vec<Pid>, Box<dyn Error>> {
    let mut children = Vec::new();
    for k in 0..n {
        // SAFETY: this program starts no threads: it is single-threaded.
        match unsafe { fork() } {
            Ok(ForkResult::Child) => {
                work(k);
                process::exit(0);
            }
            Ok(ForkResult::Parent { child }) => children.push(child),
            Err(e) => {
                // The fork error is the one to report; reaping comes first.
                let _ = wait_all(&children);
                return Err(format!("fork failed: {e}").into());
            }
        }
    }
    Ok(children)
}

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

/// Checks every value the children wrote: a value still 0.0 (other than
/// the first) would mean that a child's writes never reached the parent.
fn check(values: &[f64]) -> Result<(), Box<dyn Error>> {
    let wrong = values
        .iter()
        .enumerate()
        .filter(|&(i, &x)| x != (i as f64).sqrt())
        .count();
    if wrong > 0 {
        return Err(format!("{wrong} values are not what a child wrote").into());
    }
    println!("the parent read all {LEN} values as the children wrote them");
    Ok(())
}
