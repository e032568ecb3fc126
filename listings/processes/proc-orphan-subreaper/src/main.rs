//! Linux only: `prctl(PR_SET_CHILD_SUBREAPER)` exists on Linux (and Android).

#[cfg(target_os = "linux")]
use {
    nix::errno::Errno,
    nix::sys::prctl::set_child_subreaper,
    nix::sys::wait::{WaitStatus, waitpid},
    nix::unistd::{ForkResult, Pid, fork, getpid, getppid, read},
    std::error::Error,
    std::io::{self, PipeReader},
    std::process,
};

#[cfg(target_os = "linux")]
// ANCHOR: descendants
/// The grandchild: once the top process says so, report who its parent is.
fn grandchild(top: Pid, go: PipeReader) -> Result<(), Box<dyn Error>> {
    read(&go, &mut [0])?; // returns when the top process closes its end
    let parent = getppid();
    let who = if parent == top {
        "the top process (a subreaper)".to_string()
    } else if parent == Pid::from_raw(1) {
        "init, pid 1".to_string()
    } else {
        format!("process {parent}")
    };
    println!("grandchild: my parent is gone; my new parent is {who}");
    Ok(())
}

// ANCHOR_END: descendants
#[cfg(target_os = "linux")]
// ANCHOR: descendants
/// The middle process: start a grandchild, then exit without waiting for it.
fn middle(top: Pid, go: PipeReader) -> Result<(), Box<dyn Error>> {
    // SAFETY: single-threaded (this program never starts a thread).
    if let ForkResult::Child = unsafe { fork() }? {
        process::exit(exit_code(grandchild(top, go)));
    }
    println!("middle: exiting without waiting for my child");
    Ok(())
}

// ANCHOR_END: descendants
#[cfg(target_os = "linux")]
// ANCHOR: descendants
fn exit_code(result: Result<(), Box<dyn Error>>) -> i32 {
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}

// ANCHOR_END: descendants

// ANCHOR: top
#[cfg(target_os = "linux")]
fn main() -> Result<(), Box<dyn Error>> {
    let top = getpid();
    // Orphans among our descendants are now given to us, not to init.
    set_child_subreaper(true)?;
    // The grandchild waits on this pipe until the middle process is gone.
    let (go, go_writer) = io::pipe()?;
    // SAFETY: single-threaded (this program never starts a thread).
    let middle_pid = match unsafe { fork() }? {
        ForkResult::Child => {
            drop(go_writer);
            process::exit(exit_code(middle(top, go)));
        }
        ForkResult::Parent { child } => child,
    };
    drop(go);
    // `report`, out of view, prints how a child ended: true if it failed.
    let mut failed = report("the middle process", waitpid(middle_pid, None)?);
    drop(go_writer); // the middle is gone: let the grandchild look
    // Wait for any child until none is left: that is the grandchild we
    // adopted, though we never forked it.
    loop {
        match waitpid(None, None) {
            Ok(status) => failed |= report("the adopted grandchild", status),
            Err(Errno::ECHILD) => break, // no child left to wait for
            Err(e) => return Err(e.into()),
        }
    }
    if failed {
        return Err("a descendant failed".into());
    }
    Ok(())
}
// ANCHOR_END: top

/// Prints how a child ended, and returns whether it failed.
#[cfg(target_os = "linux")]
fn report(who: &str, status: WaitStatus) -> bool {
    match status {
        WaitStatus::Exited(_, code) => {
            println!("top: reaped {who}, exit code {code}");
            code != 0
        }
        other => {
            println!("top: {who} ended: {other:?}");
            true
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn main() {
    println!("proc-orphan-subreaper runs on Linux only: it calls prctl(PR_SET_CHILD_SUBREAPER)");
}
