use std::env;
use std::error::Error;
use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::Duration;

use nix::sys::signal::{SigHandler, Signal, kill, signal};
use nix::unistd::Pid;
use wait_timeout::ChildExt;

const ROLE_VARIABLE: &str = "DEADLINE_DEMO_ROLE";

// ANCHOR: stuck
/// A worker that is stuck: it ignores SIGTERM and never finishes on its own
/// (it gives up after 10 s, so a bug in the parent cannot leave it forever).
fn stuck_worker() -> Result<(), Box<dyn Error>> {
    // SAFETY: SIG_IGN runs no code of ours, and nothing here relies on
    // another SIGTERM handler.
    unsafe { signal(Signal::SIGTERM, SigHandler::SigIgn) }?;
    println!("ready");
    thread::sleep(Duration::from_secs(10));
    Err("the parent never killed me".into())
}
// ANCHOR_END: stuck

// ANCHOR: main
fn main() -> Result<(), Box<dyn Error>> {
    if env::var_os(ROLE_VARIABLE).is_some_and(|role| role == "stuck") {
        return stuck_worker();
    }
    let mut worker = Command::new(env::current_exe()?)
        .env(ROLE_VARIABLE, "stuck")
        .stdout(Stdio::piped())
        .spawn()?;
    let stopped = stop(&mut worker);
    if stopped.is_err() {
        // Whatever went wrong, do not leave the worker running. kill is
        // Ok(()) even if the worker has exited; reap it in any case.
        if let Err(e) = worker.kill() {
            eprintln!("cannot kill the worker: {e}");
        }
        if let Err(e) = worker.wait() {
            eprintln!("cannot reap the worker: {e}");
        }
    }
    stopped
}
// ANCHOR_END: main

// ANCHOR: stop
fn stop(worker: &mut Child) -> Result<(), Box<dyn Error>> {
    // Wait until the worker has set itself up, so the test is fair. No
    // deadline here: the worker gives up by itself after 10 s.
    let mut ready = String::new();
    let stdout = worker.stdout.take().ok_or("stdout was not piped")?;
    if BufReader::new(stdout).read_line(&mut ready)? == 0 {
        return Err("the worker ended before it was ready".into());
    }

    // Ask politely first, and give the worker a grace period.
    let grace = Duration::from_millis(300);
    kill(Pid::from_raw(worker.id() as i32), Signal::SIGTERM)?;
    println!(
        "parent: sent SIGTERM, waiting up to {} ms",
        grace.as_millis()
    );
    // Blocks until the worker ends or the grace period is over, whichever
    // comes first; reaps the worker if it ended.
    let status = match worker.wait_timeout(grace)? {
        Some(status) => status,
        None => {
            println!("parent: still running at the deadline, sending SIGKILL");
            worker.kill()?; // SIGKILL cannot be caught or ignored
            worker.wait()? // reap it: no zombie left behind
        }
    };
    match status.signal() {
        Some(number) => println!(
            "parent: the worker was killed by {}",
            Signal::try_from(number)?
        ),
        None => println!("parent: the worker exited on its own: {status}"),
    }
    Ok(())
}
// ANCHOR_END: stop
