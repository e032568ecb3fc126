use std::env;
use std::error::Error;
use std::ffi::c_int;
use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, kill, sigaction};
use nix::unistd::Pid;
use wait_timeout::ChildExt;
const ROLE_VARIABLE: &str = "STOP_WORKERS_ROLE";

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn request_stop(_: c_int) {
    STOP.store(true, Ordering::SeqCst);
}

/// "polite" saves its work and exits on SIGTERM; "stuck" ignores SIGTERM.
/// Either gives up after 5 s, so a bug in the parent cannot leave it behind.
fn worker(kind: &str) -> Result<(), Box<dyn Error>> {
    let handler = match kind {
        "polite" => SigHandler::Handler(request_stop),
        _ => SigHandler::SigIgn,
    };
    let action = SigAction::new(handler, SaFlags::SA_RESTART, SigSet::empty());
    // SAFETY: the handler only stores to an atomic (async-signal-safe).
    unsafe { sigaction(Signal::SIGTERM, &action) }?;
    println!("ready");
    for _ in 0..500 {
        if STOP.load(Ordering::SeqCst) {
            return Ok(()); // a real worker would save its work here
        }
        thread::sleep(Duration::from_millis(10)); // one item of work
    }
    Err("nobody stopped me".into())
}

/// Starts a worker of `kind` and waits until its handler is installed.
fn start(kind: &str) -> Result<Child, Box<dyn Error>> {
    let mut child = Command::new(env::current_exe()?)
        .env(ROLE_VARIABLE, kind)
        .stdout(Stdio::piped())
        .spawn()?;
    let stdout = child.stdout.take().expect("stdout is piped");
    // Its "ready" line, or an error: end-of-file (0 bytes) means it died.
    let ready = BufReader::new(stdout)
        .read_line(&mut String::new())
        .map_err(Box::<dyn Error>::from)
        .and_then(|n| match n {
            0 => Err("a worker ended before it was ready".into()),
            _ => Ok(()),
        });
    if let Err(e) = ready {
        let _ = child.kill();
        child.wait()?;
        return Err(e);
    }
    Ok(child)
}

fn describe(status: ExitStatus) -> String {
    match status.signal().map(Signal::try_from) {
        Some(Ok(signal)) => format!("killed by {signal}"),
        _ => status.to_string(),
    }
}

// ANCHOR: all
/// Stops every worker and returns how each one ended: SIGTERM to all,
/// then up to `GRACE` for all of them together, then SIGKILL.
fn stop_all(workers: &mut [(&str, Child)]) -> Result<Vec<String>, Box<dyn Error>> {
    const GRACE: Duration = Duration::from_millis(500);
    for (_, child) in workers.iter() {
        kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM)?;
    }
    let deadline = Instant::now() + GRACE;
    let mut statuses = Vec::new();
    for (kind, child) in workers.iter_mut() {
        // One deadline for all: the second worker does not get a fresh 500 ms.
        let left = deadline.saturating_duration_since(Instant::now());
        let status = match child.wait_timeout(left)? {
            Some(status) => status,
            None => {
                child.kill()?;
                child.wait()?
            }
        };
        statuses.push(format!("{kind}: {}", describe(status)));
    }
    Ok(statuses)
}
// ANCHOR_END: all

fn main() -> Result<(), Box<dyn Error>> {
    if let Ok(kind) = env::var(ROLE_VARIABLE) {
        return worker(&kind);
    }
    let mut workers = Vec::new();
    for kind in ["polite", "stuck"] {
        match start(kind) {
            Ok(child) => workers.push((kind, child)),
            Err(e) => {
                // Reap every one before returning: no `?` inside the loop.
                for (_, mut child) in workers {
                    let _ = child.kill();
                    if let Err(reap) = child.wait() {
                        eprintln!("cannot reap a worker: {reap}");
                    }
                }
                return Err(e);
            }
        }
    }
    let statuses = stop_all(&mut workers);
    // Whatever stop_all did, no worker outlives this program.
    let mut reaped = Ok(());
    for (_, child) in &mut workers {
        let _ = child.kill();
        if let Err(e) = child.wait() {
            reaped = Err(e); // keep it, and reap the others first
        }
    }
    reaped?;
    let statuses = statuses?;
    for line in &statuses {
        println!("{line}");
    }
    let expected = ["polite: exit status: 0", "stuck: killed by SIGKILL"];
    if statuses != expected {
        return Err("the workers did not end as they should".into());
    }
    Ok(())
}
