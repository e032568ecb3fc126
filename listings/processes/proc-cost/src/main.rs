use std::env;
use std::error::Error;
use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::process::{self, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, fork};

const ROLE_VARIABLE: &str = "COST_DEMO_ROLE";
const STARTS: u32 = 50;
const IDLE_PROCESSES: usize = 10;
const IDLE_THREADS: usize = 100;

/// A field of /proc/PID/status in KiB, e.g. "VmRSS" (resident memory) or
/// "RssAnon" (the private, anonymous part of it).
fn status_kib(pid: &str, field: &str) -> Result<u64, Box<dyn Error>> {
    let status = fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .ok_or_else(|| format!("no {field} in /proc/{pid}/status"))?;
    Ok(line.trim().trim_end_matches(" kB").parse()?)
}

/// The middle value: unlike the mean, a few slow starts on a busy machine
/// do not move it.
fn median_micros(mut times: Vec<Duration>) -> u128 {
    times.sort();
    times[times.len() / 2].as_micros()
}

// ANCHOR: all
fn time_fork() -> Result<Vec<Duration>, Box<dyn Error>> {
    let mut times = Vec::new();
    for _ in 0..STARTS {
        let started = Instant::now();
        // SAFETY: called before this program starts any thread.
        match unsafe { fork() }? {
            ForkResult::Child => process::exit(0),
            ForkResult::Parent { child } => match waitpid(child, None)? {
                WaitStatus::Exited(_, 0) => {}
                other => return Err(format!("a child failed: {other:?}").into()),
            },
        }
        times.push(started.elapsed());
    }
    Ok(times)
}

fn time_command() -> Result<Vec<Duration>, Box<dyn Error>> {
    let this_program = env::current_exe()?;
    let mut times = Vec::new();
    for _ in 0..STARTS {
        let started = Instant::now();
        let status = Command::new(&this_program)
            .env(ROLE_VARIABLE, "exit")
            .status()?;
        if !status.success() {
            return Err(format!("a child failed: {status}").into());
        }
        times.push(started.elapsed());
    }
    Ok(times)
}

fn time_thread() -> Result<Vec<Duration>, Box<dyn Error>> {
    let mut times = Vec::new();
    for _ in 0..STARTS {
        let started = Instant::now();
        thread::spawn(|| {})
            .join()
            .map_err(|_| "a thread panicked")?;
        times.push(started.elapsed());
    }
    Ok(times)
}

/// Average VmRSS and RssAnon of idle worker processes, in KiB.
fn process_memory() -> Result<(u64, u64), Box<dyn Error>> {
    let mut children = Vec::new();
    for _ in 0..IDLE_PROCESSES {
        let child = Command::new(env::current_exe()?)
            .env(ROLE_VARIABLE, "idle")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        children.push(child);
    }
    let mut measured: Result<(u64, u64), Box<dyn Error>> = Ok((0, 0));
    for child in &mut children {
        // Read its "ready" line, so that it has finished starting.
        let mut ready = String::new();
        let stdout = child.stdout.as_mut().ok_or("stdout was not piped")?;
        BufReader::new(stdout).read_line(&mut ready)?;
        let pid = child.id().to_string();
        measured = measured.and_then(|(rss, anon)| {
            Ok((
                rss + status_kib(&pid, "VmRSS")?,
                anon + status_kib(&pid, "RssAnon")?,
            ))
        });
    }
    for child in &mut children {
        drop(child.stdin.take()); // end of its stdin: it exits
        let status = child.wait()?;
        if !status.success() {
            return Err(format!("an idle child failed: {status}").into());
        }
    }
    let (rss, anon) = measured?;
    let count = IDLE_PROCESSES as u64;
    Ok((rss / count, anon / count))
}

/// How much this process's VmRSS grows per idle thread, in KiB.
fn thread_memory() -> Result<u64, Box<dyn Error>> {
    let before = status_kib("self", "VmRSS")?;
    let (ready_sender, ready) = mpsc::channel();
    let mut releases = Vec::new();
    let mut threads = Vec::new();
    for _ in 0..IDLE_THREADS {
        let (release, released) = mpsc::channel::<()>();
        let ready_sender = ready_sender.clone();
        threads.push(thread::spawn(move || {
            let _ = ready_sender.send(());
            let _ = released.recv(); // idle until the sender is dropped
        }));
        releases.push(release);
    }
    for _ in 0..IDLE_THREADS {
        ready.recv()?;
    }
    let after = status_kib("self", "VmRSS")?;
    drop(releases);
    for thread in threads {
        thread.join().map_err(|_| "a thread panicked")?;
    }
    Ok(after.saturating_sub(before) / IDLE_THREADS as u64)
}
// ANCHOR_END: all

fn main() -> Result<(), Box<dyn Error>> {
    match env::var(ROLE_VARIABLE).as_deref() {
        Ok("exit") => return Ok(()),
        Ok("idle") => {
            println!("ready");
            // Idle until the parent closes our stdin.
            std::io::stdin().read_to_end(&mut Vec::new())?;
            return Ok(());
        }
        _ => {}
    }
    // fork first: later steps start threads, and then fork is off limits.
    let forked = time_fork()?;
    let spawned = time_command()?;
    let threaded = time_thread()?;
    println!("start, then wait until it ends (median of {STARTS}):");
    println!(
        "  thread, spawn + join:                  {:>6} µs",
        median_micros(threaded)
    );
    println!(
        "  process, fork + waitpid:               {:>6} µs",
        median_micros(forked)
    );
    println!(
        "  process, Command (fork + exec) + wait: {:>6} µs",
        median_micros(spawned)
    );
    let (rss, anon) = process_memory()?;
    let per_thread = thread_memory()?;
    println!("resident memory:");
    println!("  per idle process: VmRSS {rss} KiB, of which private (RssAnon) {anon} KiB");
    println!("  per idle thread: this process's VmRSS grows by {per_thread} KiB");
    Ok(())
}
