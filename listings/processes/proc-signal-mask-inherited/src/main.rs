use std::error::Error;
use std::io;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, ExitStatus};
use std::time::Duration;

use nix::sys::signal::{
    SaFlags, SigAction, SigHandler, SigSet, SigmaskHow, Signal, kill, sigaction, sigprocmask,
};
use nix::unistd::Pid;
use wait_timeout::ChildExt;

// ANCHOR: reset
/// Runs in the child between fork and exec: a child inherits its parent's
/// signal mask and every signal the parent ignores (std resets SIGPIPE
/// only). Start the program with nothing blocked and default actions.
fn reset_signals() -> io::Result<()> {
    sigprocmask(SigmaskHow::SIG_SETMASK, Some(&SigSet::empty()), None)?;
    let default = SigAction::new(SigHandler::SigDfl, SaFlags::empty(), SigSet::empty());
    for signal in Signal::iterator().filter(|s| ![Signal::SIGKILL, Signal::SIGSTOP].contains(s)) {
        // SAFETY: SIG_DFL installs no code of ours.
        unsafe { sigaction(signal, &default) }?;
    }
    Ok(())
}

fn start_sleep(reset: bool) -> io::Result<Child> {
    let mut command = Command::new("sleep");
    command.arg("10");
    if reset {
        // SAFETY: reset_signals makes only sigprocmask and sigaction
        // calls, which are async-signal-safe, and allocates nothing.
        unsafe { command.pre_exec(reset_signals) };
    }
    command.spawn()
}
// ANCHOR_END: reset

/// Tells a normal exit from a death by signal.
fn describe(status: ExitStatus) -> String {
    match (status.code(), status.signal().map(Signal::try_from)) {
        (Some(code), _) => format!("exited with code {code}"),
        (None, Some(Ok(signal))) => format!("was killed by {signal}"),
        _ => format!("ended: {status}"),
    }
}

/// Sends SIGTERM and gives the child `grace` to end. Returns how it
/// ended, or None if it outlived the grace. Either way it is then killed
/// with SIGKILL, which no mask can block, and reaped.
fn terminate(mut child: Child, grace: Duration) -> io::Result<Option<ExitStatus>> {
    let sent = kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM);
    let ended = child.wait_timeout(grace);
    let _ = child.kill(); // Ok even if wait_timeout reaped it: std then sends nothing
    child.wait()?;
    sent?;
    ended
}

// ANCHOR: main
fn main() -> Result<(), Box<dyn Error>> {
    // Block SIGTERM in this thread, as a program that waits for it on
    // one thread with sigwait does. Children are forked from this thread.
    SigSet::from(Signal::SIGTERM).thread_block()?;
    let grace = Duration::from_secs(1);

    let as_is = terminate(start_sleep(false)?, grace)?;
    match as_is {
        None => println!("sleep, started as is: still running {grace:?} after SIGTERM"),
        Some(status) => println!("sleep, started as is: {}", describe(status)),
    }

    let reset = terminate(start_sleep(true)?, grace)?;
    match reset {
        None => println!("sleep, with reset_signals: still running {grace:?} after SIGTERM"),
        Some(status) => println!("sleep, with reset_signals: {}", describe(status)),
    }
    // ANCHOR_END: main
    let reset_died_of_sigterm = reset.is_some_and(|s| s.signal() == Some(Signal::SIGTERM as i32));
    if as_is.is_some() || !reset_died_of_sigterm {
        return Err("the inherited mask did not show: see the two lines above".into());
    }
    // ANCHOR: main
    Ok(())
}
// ANCHOR_END: main
