use std::error::Error;
use std::io::{self, PipeReader, PipeWriter, Read, Write};
use std::os::fd::AsFd;
use std::process;
use std::thread;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::{Signal, kill};
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid, fork};

const WORKERS: u32 = 5;
const PERMITS: usize = 2;
/// How long the parent waits for all the reports before it kills the workers.
const PATIENCE: Duration = Duration::from_secs(2);

/// Reads `reader` to its end, or until `deadline` (then `None`): a worker
/// stuck while holding the write end must not hang the parent.
fn read_to_end_by(reader: &mut PipeReader, deadline: Instant) -> io::Result<Option<Vec<u8>>> {
    let mut all = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(None);
        }
        // poll counts whole milliseconds: round up, or the last one spins.
        let millis = left.as_micros().div_ceil(1000);
        let timeout = PollTimeout::try_from(millis).unwrap_or(PollTimeout::MAX);
        match poll(
            &mut [PollFd::new(reader.as_fd(), PollFlags::POLLIN)],
            timeout,
        ) {
            Ok(0) | Err(Errno::EINTR) => continue, // the loop checks the deadline
            Ok(_) => {}
            Err(e) => return Err(e.into()),
        }
        let mut chunk = [0; 512];
        match reader.read(&mut chunk) {
            Ok(0) => return Ok(Some(all)),
            Ok(n) => all.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

// ANCHOR: semaphore
/// A counting semaphore shared by every process forked after it is made:
/// a pipe that holds one byte per free permit.
struct Semaphore {
    tokens: PipeReader,
    give_back: PipeWriter,
}

impl Semaphore {
    fn new(permits: usize) -> io::Result<Semaphore> {
        let (tokens, mut give_back) = io::pipe()?;
        give_back.write_all(&vec![b'+'; permits])?;
        Ok(Semaphore { tokens, give_back })
    }

    /// Takes a permit: reads one byte, and blocks while the pipe is empty.
    /// The permit goes back when the guard is dropped, on every path: an
    /// error or a panic between acquire and release cannot lose it.
    fn acquire(&mut self) -> io::Result<Permit<'_>> {
        self.tokens.read_exact(&mut [0])?;
        Ok(Permit {
            give_back: &mut self.give_back,
        })
    }
}

/// A permit held: dropping it writes the byte back.
struct Permit<'a> {
    give_back: &'a mut PipeWriter,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        // One byte into a pipe that never holds more than PERMITS bytes:
        // it fits, and a write this small does not fail short of a bug.
        if let Err(e) = self.give_back.write_all(b"+") {
            eprintln!("cannot give a permit back: {e}");
        }
    }
}
// ANCHOR_END: semaphore

// ANCHOR: worker
/// One worker: holds a permit while it works, and reports "start" and
/// "end" from inside that window, each line one atomic write.
fn worker(id: u32, semaphore: &mut Semaphore, report: &mut PipeWriter) -> io::Result<()> {
    let _permit = semaphore.acquire()?;
    report.write_all(format!("start {id}\n").as_bytes())?;
    thread::sleep(Duration::from_millis(20)); // the work
    report.write_all(format!("end {id}\n").as_bytes())
    // `_permit` is dropped here, or at any `?` above: the byte goes back.
}
// ANCHOR_END: worker

// ANCHOR: main
fn main() -> Result<(), Box<dyn Error>> {
    let mut semaphore = Semaphore::new(PERMITS)?;
    let (mut reports, mut report) = io::pipe()?;
    let mut children: Vec<Pid> = Vec::new();
    let mut fork_error = None;
    for id in 1..=WORKERS {
        // SAFETY: this program starts no threads: it is single-threaded.
        match unsafe { fork() } {
            Ok(ForkResult::Child) => {
                let code = match worker(id, &mut semaphore, &mut report) {
                    Ok(()) => 0,
                    Err(_) => 1,
                };
                process::exit(code);
            }
            Ok(ForkResult::Parent { child }) => children.push(child),
            Err(e) => {
                fork_error = Some(e);
                break;
            }
        }
    }
    drop(report); // the reports end when the last worker exits
    let read = read_to_end_by(&mut reports, Instant::now() + PATIENCE);
    // Kills the workers if their reports did not end in time, reaps every
    // one of them, and only then returns the first error.
    let reports = finish(children, fork_error, read)?;
    check_most_at_once(&reports)
}
// ANCHOR_END: main

/// The parent's cleanup, on every path: a worker still running after the
/// deadline is stuck (or we cannot tell), so it is killed; every worker is
/// reaped; then the first error, if any, is returned.
fn finish(
    children: Vec<Pid>,
    fork_error: Option<Errno>,
    read: io::Result<Option<Vec<u8>>>,
) -> Result<Vec<u8>, Box<dyn Error>> {
    if !matches!(read, Ok(Some(_))) {
        for &child in &children {
            let _ = kill(child, Signal::SIGKILL);
        }
    }
    let mut failures = Vec::new();
    for child in children {
        match waitpid(child, None) {
            Ok(WaitStatus::Exited(_, 0)) => {}
            other => failures.push(format!("{other:?}")),
        }
    }
    if let Some(e) = fork_error {
        return Err(format!("fork failed: {e}").into());
    }
    let Some(reports) = read? else {
        return Err("the workers did not finish in time: killed them".into());
    };
    if !failures.is_empty() {
        return Err(format!("workers failed: {}", failures.join(", ")).into());
    }
    Ok(reports)
}

/// Replays the reports, which are in the order the kernel took the writes,
/// and fails if more than `PERMITS` workers were ever inside at once.
fn check_most_at_once(reports: &[u8]) -> Result<(), Box<dyn Error>> {
    let (mut running, mut most) = (0, 0);
    for line in String::from_utf8_lossy(reports).lines() {
        match line.starts_with("start") {
            true => running += 1,
            false => running -= 1,
        }
        most = most.max(running);
    }
    println!("{WORKERS} workers, {PERMITS} permits: at most {most} worked at once");
    if most > PERMITS {
        return Err("the semaphore let too many in".into());
    }
    Ok(())
}
