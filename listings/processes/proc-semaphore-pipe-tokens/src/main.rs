use std::error::Error;
use std::io::{self, BufRead, BufReader, PipeReader, PipeWriter, Read, Write};
use std::process;
use std::thread;
use std::time::Duration;

use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid, fork};

const WORKERS: u32 = 5;
const PERMITS: usize = 2;

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
    fn acquire(&mut self) -> io::Result<()> {
        self.tokens.read_exact(&mut [0])
    }

    /// Gives the permit back: writes the byte again.
    fn release(&mut self) -> io::Result<()> {
        self.give_back.write_all(b"+")
    }
}
// ANCHOR_END: semaphore

// ANCHOR: worker
/// One worker: holds a permit while it works, and reports "start" and
/// "end" from inside that window, each line one atomic write.
fn worker(id: u32, semaphore: &mut Semaphore, report: &mut PipeWriter) -> io::Result<()> {
    semaphore.acquire()?;
    report.write_all(format!("start {id}\n").as_bytes())?;
    thread::sleep(Duration::from_millis(20)); // the work
    report.write_all(format!("end {id}\n").as_bytes())?;
    semaphore.release()
}
// ANCHOR_END: worker

// ANCHOR: main
fn main() -> Result<(), Box<dyn Error>> {
    let mut semaphore = Semaphore::new(PERMITS)?;
    let (reports, mut report) = io::pipe()?;
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
    // Replay the reports: they are in the order the kernel took the writes.
    let (mut running, mut most) = (0, 0);
    let mut read = Ok(());
    for line in BufReader::new(reports).lines() {
        match line {
            Ok(line) if line.starts_with("start") => running += 1,
            Ok(_) => running -= 1,
            Err(e) => {
                read = Err(e);
                break;
            }
        }
        most = most.max(running);
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
    read?;
    if !failures.is_empty() {
        return Err(format!("workers failed: {}", failures.join(", ")).into());
    }
    println!("{WORKERS} workers, {PERMITS} permits: at most {most} worked at once");
    if most > PERMITS {
        return Err("the semaphore let too many in".into());
    }
    Ok(())
}
// ANCHOR_END: main
