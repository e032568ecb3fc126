//! Linux only: `waitid` is not in nix on macOS, and /proc is Linux's.

#[cfg(target_os = "linux")]
use {
    nix::sys::wait::{Id, WaitPidFlag, WaitStatus, waitid, waitpid},
    nix::unistd::{ForkResult, Pid, fork},
    std::error::Error,
    std::fs,
    std::path::Path,
    std::process,
};

/// The state letter of a process (R running, S sleeping, Z zombie...),
/// from the third field of /proc/PID/stat.
#[cfg(target_os = "linux")]
fn state_of(pid: Pid) -> Result<char, Box<dyn Error>> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The name (field 2) is in parentheses and may hold spaces.
    let after_name = &stat[stat.rfind(')').ok_or("no name in stat")? + 1..];
    let state = after_name
        .trim_start()
        .chars()
        .next()
        .ok_or("no state in stat")?;
    Ok(state)
}

// ANCHOR: all
#[cfg(target_os = "linux")]
fn main() -> Result<(), Box<dyn Error>> {
    // SAFETY: this program starts no threads: it is single-threaded.
    let child = match unsafe { fork() }? {
        ForkResult::Child => process::exit(7),
        ForkResult::Parent { child } => child,
    };
    // Block until the child has exited, but with WNOWAIT: do not collect
    // its exit status yet, so it stays in the process table.
    // Keep any error until the child is reaped: no `?` before waitpid.
    let looked = waitid(Id::Pid(child), WaitPidFlag::WEXITED | WaitPidFlag::WNOWAIT)
        .map_err(Box::<dyn Error>::from)
        .and_then(|_| state_of(child));

    // Collecting the exit status (reaping) removes the zombie.
    let reaped = waitpid(child, None);
    println!("the child has exited; its state is {}", looked?);
    match reaped? {
        WaitStatus::Exited(_, code) => println!("waitpid: it exited with code {code}"),
        other => return Err(format!("unexpected: {other:?}").into()),
    }
    let gone = !Path::new(&format!("/proc/{child}")).exists();
    println!("after waitpid, it is gone from /proc: {gone}");
    Ok(())
}
// ANCHOR_END: all

#[cfg(not(target_os = "linux"))]
fn main() {
    println!("proc-zombie runs on Linux only: it calls waitid and reads /proc");
}
