use std::env;
use std::error::Error;
use std::ffi::c_int;
use std::io::{self, BufRead, BufReader, Read};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, killpg, sigaction};
use nix::unistd::Pid;

const ROLE_VARIABLE: &str = "CTRL_C_ROLE";

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_sigint(_: c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

fn describe(status: ExitStatus) -> String {
    match status.signal().map(Signal::try_from) {
        Some(Ok(signal)) => format!("was killed by {signal}"),
        _ => format!("exited with code {}", status.code().unwrap_or(-1)),
    }
}

/// A worker: works until its stdin ends (it has no SIGINT handler).
fn worker() -> io::Result<()> {
    io::stdin().read_to_end(&mut Vec::new())?;
    Ok(())
}

// ANCHOR: start
/// Starts a worker; `own_group` puts it in a process group of its own.
fn start_worker(own_group: bool) -> io::Result<Child> {
    let mut command = Command::new(env::current_exe()?);
    command
        .env(ROLE_VARIABLE, "worker")
        .stdin(Stdio::piped())
        .stdout(Stdio::null());
    if own_group {
        command.process_group(0); // setpgid(0, 0) in the child: a new group
    }
    command.spawn()
}
// ANCHOR_END: start

// ANCHOR: pool
/// The pool: handles SIGINT itself, and stops the workers it can reach.
fn pool() -> Result<(), Box<dyn Error>> {
    let action = SigAction::new(
        SigHandler::Handler(on_sigint),
        SaFlags::SA_RESTART,
        SigSet::empty(),
    );
    // SAFETY: the handler only stores to an atomic (async-signal-safe).
    unsafe { sigaction(Signal::SIGINT, &action) }?;
    let mut in_our_group = start_worker(false)?;
    let mut in_own_group = match start_worker(true) {
        Ok(child) => child,
        Err(e) => {
            let _ = in_our_group.kill();
            in_our_group.wait()?;
            return Err(e.into());
        }
    };
    println!("ready");
    // Wait for Ctrl+C, looking every 10 ms; give up after 2 s.
    let deadline = Instant::now() + Duration::from_secs(2);
    while !INTERRUPTED.load(Ordering::SeqCst) && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(10));
    }
    println!("pool: got SIGINT: {}", INTERRUPTED.load(Ordering::SeqCst));
    // The worker in its own group did not get it: ask it to finish.
    drop(in_own_group.stdin.take());
    // The one in our group got the same SIGINT we did; if it somehow did
    // not, end it anyway, so that nothing is left behind.
    drop(in_our_group.stdin.take());
    // Reap both before looking at either error.
    let own = in_own_group.wait();
    let ours = in_our_group.wait();
    let (own, ours) = (own?, ours?);
    println!("pool: the worker in the pool's group {}", describe(ours));
    println!("pool: the worker in its own group {}", describe(own));
    if ours.signal() != Some(Signal::SIGINT as i32) || !own.success() {
        return Err("Ctrl+C did not reach exactly the pool's group".into());
    }
    Ok(())
}
// ANCHOR_END: pool

// ANCHOR: terminal
/// Plays the terminal: starts the pool as a job in its own process group,
/// then presses Ctrl+C, which sends SIGINT to every process of that group.
fn main() -> Result<(), Box<dyn Error>> {
    match env::var(ROLE_VARIABLE).as_deref() {
        Ok("pool") => return pool(),
        Ok(_) => return Ok(worker()?),
        Err(_) => {}
    }
    let mut pool = Command::new(env::current_exe()?)
        .env(ROLE_VARIABLE, "pool")
        .process_group(0) // like a shell's job: its own group, id = its pid
        .stdout(Stdio::piped())
        .spawn()?;
    let relayed = relay(&mut pool);
    if relayed.is_err() {
        let _ = pool.kill();
    }
    let status = pool.wait()?;
    relayed?;
    println!("terminal: the pool {}", describe(status));
    Ok(())
}

fn relay(pool: &mut Child) -> Result<(), Box<dyn Error>> {
    let stdout = pool.stdout.take().expect("stdout is piped");
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        if line == "ready" {
            let group = Pid::from_raw(pool.id() as i32);
            killpg(group, Signal::SIGINT)?;
            println!("terminal: Ctrl+C: SIGINT to every process in the pool's group");
        } else {
            println!("{line}");
        }
    }
    Ok(())
}
// ANCHOR_END: terminal
