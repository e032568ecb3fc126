use std::env;
use std::error::Error;
use std::ffi::c_int;
use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::process::{ChildStdout, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicI32, Ordering};
use std::thread;
use std::time::Duration;

use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, kill, sigaction};
use nix::unistd::Pid;

const ROLE_VARIABLE: &str = "SIGTERM_DEMO_ROLE";

// ANCHOR: worker
/// The signal that asked us to stop, or 0 while none has.
static STOP_REQUEST: AtomicI32 = AtomicI32::new(0);

/// Runs in the middle of whatever the worker was doing, so it may only do
/// async-signal-safe things: storing to an atomic is one; println!, locks
/// and allocation are not.
extern "C" fn request_stop(signal: c_int) {
    STOP_REQUEST.store(signal, Ordering::SeqCst);
}

fn worker() -> Result<(), Box<dyn Error>> {
    let action = SigAction::new(
        SigHandler::Handler(request_stop),
        SaFlags::SA_RESTART,
        SigSet::empty(),
    );
    for signal in [Signal::SIGTERM, Signal::SIGINT] {
        // SAFETY: the handler only stores to an atomic (async-signal-safe),
        // and it replaces no handler that other code relies on.
        unsafe { sigaction(signal, &action) }?;
    }
    println!("worker: ready");
    let mut finished = 0;
    // The flag is checked between items: an item that has started is
    // always finished, never left half done.
    while STOP_REQUEST.load(Ordering::SeqCst) == 0 {
        if finished == 100 {
            return Err("nobody asked me to stop".into());
        }
        thread::sleep(Duration::from_millis(10)); // one item of simulated work
        finished += 1;
    }
    // Back in normal code: here we may print, flush, remove files...
    let signal = Signal::try_from(STOP_REQUEST.load(Ordering::SeqCst))?;
    println!("worker: got {signal}, stopping cleanly after {finished} items");
    Ok(())
}

// ANCHOR_END: worker

// ANCHOR: parent
/// Tells a normal exit from a death by signal.
fn describe(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exited with code {code}"),
        (None, Some(number)) => match Signal::try_from(number) {
            Ok(signal) => format!("was killed by signal {number} ({signal})"),
            Err(_) => format!("was killed by signal {number}"),
        },
        (None, None) => format!("ended: {status}"),
    }
}

/// Relays the worker's lines; asks it to stop once it is ready (its
/// handler is installed) and has worked for a while.
fn relay(output: ChildStdout, worker: Pid) -> Result<(), Box<dyn Error>> {
    for line in BufReader::new(output).lines() {
        let line = line?;
        println!("parent read: {line}");
        if line == "worker: ready" {
            thread::sleep(Duration::from_millis(50)); // the parent's own work
            kill(worker, Signal::SIGTERM)?;
            println!("parent: sent SIGTERM");
        }
    }
    Ok(())
}

fn stop_worker() -> Result<(), Box<dyn Error>> {
    let mut worker = Command::new(env::current_exe()?)
        .env(ROLE_VARIABLE, "worker")
        .stdout(Stdio::piped())
        .spawn()?;
    let output = worker.stdout.take().expect("stdout is piped");
    let relayed = relay(output, Pid::from_raw(worker.id() as i32));
    if relayed.is_err() {
        // So that wait() cannot hang. Ignored: kill returns Ok(()) even if
        // the worker has exited, and the wait below reaps it in any case.
        let _ = worker.kill();
    }
    let status = worker.wait()?; // reaped on every path before any `?`
    relayed?;
    println!("parent: the worker {}", describe(status));
    Ok(())
}
// ANCHOR_END: parent

fn main() -> Result<(), Box<dyn Error>> {
    if env::var_os(ROLE_VARIABLE).is_some_and(|role| role == "worker") {
        return worker();
    }
    stop_worker()
}
