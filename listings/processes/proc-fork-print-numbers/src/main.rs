//! Linux only: it counts its threads in /proc/self/status before forking.

#[cfg(target_os = "linux")]
use {
    nix::sys::wait::{WaitStatus, waitpid},
    nix::unistd::{ForkResult, fork},
    std::error::Error,
    std::fs,
    std::process,
};

#[cfg(target_os = "linux")]
// ANCHOR: all
fn print_numbers() {
    for i in 0..5 {
        println!("{i}");
    }
}

// ANCHOR_END: all
#[cfg(target_os = "linux")]
// ANCHOR: all
/// How many threads this process has now (the `Threads:` line of
/// /proc/self/status, Linux only).
fn thread_count() -> Result<usize, Box<dyn Error>> {
    let status = fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find_map(|line| line.strip_prefix("Threads:"))
        .ok_or("no Threads: line in /proc/self/status")?;
    Ok(line.trim().parse()?)
}

#[cfg(target_os = "linux")]
fn main() -> Result<(), Box<dyn Error>> {
    // fork copies only the calling thread. Refuse if there are others.
    let threads = thread_count()?;
    if threads != 1 {
        return Err(format!("refusing to fork: this process has {threads} threads").into());
    }
    println!("parent: one thread, forking");
    // SAFETY: the process is single-threaded (checked above), so no lock in
    // the child's copy of memory can be held by a thread the child lacks.
    match unsafe { fork() }? {
        ForkResult::Child => {
            print_numbers();
            // Leave here: falling through would run the parent's code below.
            process::exit(0);
        }
        ForkResult::Parent { child } => match waitpid(child, None)? {
            WaitStatus::Exited(_, 0) => println!("parent: the child exited with code 0"),
            other => return Err(format!("the child did not succeed: {other:?}").into()),
        },
    }
    Ok(())
}
// ANCHOR_END: all

#[cfg(not(target_os = "linux"))]
fn main() {
    println!("proc-fork-print-numbers runs on Linux only: it counts its threads in /proc");
}
