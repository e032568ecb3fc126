use std::collections::VecDeque;
use std::env;
use std::error::Error;
use std::io::{self, BufRead, Read, Write};
use std::os::fd::AsFd;
use std::process::{self, Child, ChildStderr, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::{Mutex, mpsc};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::resource::{Resource, setrlimit};
use wait_timeout::ChildExt;

const ROLE_VARIABLE: &str = "PRIME_POOL_ROLE";
const LIMIT: u64 = 500_000;
const CHUNK: u64 = 25_000;
/// The number of primes below 500,000, to check the pool's answer.
const PRIMES_BELOW_LIMIT: u64 = 41_538;
/// The task on which a worker hits its (simulated) bug.
const POISONED_TASK: u64 = 13;
/// The task on which a worker hangs (a simulated endless loop).
const HUNG_TASK: u64 = 7;
/// How long the pool waits for one answer: ample for a task of 25,000
/// numbers, even on a loaded machine; the hung task uses it all.
const TASK_TIMEOUT: Duration = Duration::from_secs(2);
/// How much of a worker's stderr the pool keeps for its report.
const STDERR_KEPT: u64 = 4096;
/// The longest answer line the pool accepts ("id primes" and a newline).
const MAX_ANSWER: usize = 64;
/// How long a worker whose stdin was closed gets to exit before it is killed.
const EXIT_TIMEOUT: Duration = Duration::from_secs(1);

fn is_prime(n: u64) -> bool {
    n >= 2
        && (2..)
            .take_while(|d| d * d <= n)
            .all(|d| !n.is_multiple_of(d))
}

fn count_primes(start: u64, end: u64) -> u64 {
    (start..end).filter(|&n| is_prime(n)).count() as u64
}

// ANCHOR: worker
/// A worker process: one task per line on stdin ("id start end"), one
/// answer per line on stdout ("id primes"), until stdin ends.
fn worker_main() -> Result<(), Box<dyn Error>> {
    // A thread reads stdin, so that its end is seen even in the middle of a
    // task: the parent closes our stdin only when we are idle, so an end
    // that comes while we work means the parent is gone. Either way, exit.
    let (sender, tasks) = mpsc::channel::<io::Result<String>>();
    thread::spawn(move || {
        for line in io::stdin().lock().lines() {
            if sender.send(line).is_err() {
                return; // the main thread has ended
            }
        }
        process::exit(0); // end of stdin: no more work, or no parent
    });
    let mut out = io::stdout().lock();
    for line in tasks {
        let line = line?;
        let numbers: Vec<u64> = line.split(' ').map(str::parse).collect::<Result<_, _>>()?;
        let [id, start, end] = numbers[..] else {
            return Err(format!("bad task line: {line:?}").into());
        };
        if id == POISONED_TASK {
            // A real crash, such as a bug in C code: abort() raises SIGABRT,
            // which no catch_unwind survives. RLIMIT_CORE 0: no core file.
            eprintln!("task {id}: simulated bug in the worker, aborting");
            setrlimit(Resource::RLIMIT_CORE, 0, 0)?;
            process::abort();
        }
        if id == HUNG_TASK {
            thread::sleep(Duration::from_secs(60)); // stuck, for all we know
        }
        writeln!(out, "{id} {}", count_primes(start, end))?;
        out.flush()?; // the parent is waiting for this line
    }
    Ok(())
}

// ANCHOR_END: worker

// ANCHOR: handle
/// What `read_answer` got from the worker: a whole line, or no line and
/// the way the worker failed before it sent one.
enum Received {
    Line(String),
    NoLine(Answer),
}

/// The parent's handle on one worker process. Dropping it kills and reaps
/// a worker that is still running, so no error path leaves one behind.
struct Worker {
    child: Child,
    tasks: Option<ChildStdin>,
    answers: ChildStdout,
    /// Bytes read from `answers` that do not yet make a whole line.
    pending: Vec<u8>,
    /// Reads the worker's stderr as it comes, so that a worker writing a
    /// lot there never blocks on a full pipe while we wait on its stdout.
    stderr: Option<JoinHandle<String>>,
}

impl Worker {
    /// Runs one task: its answer, or what went wrong with the worker.
    fn run(&mut self, task: &Task) -> io::Result<Answer> {
        let tasks = self.tasks.as_mut().expect("open until finish");
        let sent = writeln!(tasks, "{} {} {}", task.id, task.start, task.end);
        if let Err(e) = sent {
            // A dead worker's stdin is a broken pipe: report as a crash.
            return if e.kind() == io::ErrorKind::BrokenPipe {
                Ok(Answer::Died)
            } else {
                Err(e)
            };
        }
        match self.read_answer(Instant::now() + TASK_TIMEOUT)? {
            // `parse_answer`, out of view, checks the id and reads the count.
            Received::Line(line) => parse_answer(&line, task),
            Received::NoLine(failure) => Ok(failure),
        }
    }
}
// ANCHOR_END: handle

/// Reads an answer line, "id primes": an error if it is garbled or answers
/// another task than the one sent.
fn parse_answer(line: &str, task: &Task) -> io::Result<Answer> {
    let (id, primes) = line
        .trim_end()
        .split_once(' ')
        .ok_or(io::ErrorKind::InvalidData)?;
    if id != task.id.to_string() {
        return Err(io::Error::other(format!(
            "answer {id} for task {}",
            task.id
        )));
    }
    primes.parse().map(Answer::Primes).map_err(io::Error::other)
}

// ANCHOR: read
impl Worker {
    /// Reads one answer line before `deadline`. The deadline covers the
    /// whole line, not just its first byte, and a line longer than
    /// `MAX_ANSWER` is refused: a worker can make the pool neither wait nor
    /// hold more than that.
    fn read_answer(&mut self, deadline: Instant) -> io::Result<Received> {
        loop {
            if let Some(end) = self.pending.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = self.pending.drain(..=end).collect();
                return String::from_utf8(line)
                    .map(Received::Line)
                    .map_err(|_| io::ErrorKind::InvalidData.into());
            }
            if self.pending.len() >= MAX_ANSWER {
                return Ok(Received::NoLine(Answer::TooLong));
            }
            if !wait_readable(&self.answers, deadline)? {
                return Ok(Received::NoLine(Answer::TimedOut));
            }
            let mut chunk = [0; MAX_ANSWER];
            let room = MAX_ANSWER - self.pending.len();
            match self.answers.read(&mut chunk[..room]) {
                Ok(0) => return Ok(Received::NoLine(Answer::Died)), // end of its stdout
                Ok(n) => self.pending.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }
}
// ANCHOR_END: read

/// Waits until `pipe` has data (or end-of-file) to read, or `deadline`
/// passes (then `false`). A signal that interrupts `poll` (EINTR: poll is
/// never restarted, whatever SA_RESTART says) only means: poll again, for
/// the time that is left.
fn wait_readable(pipe: &impl AsFd, deadline: Instant) -> io::Result<bool> {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(false);
        }
        // poll counts whole milliseconds: round up, or the last one spins.
        let millis = left.as_micros().div_ceil(1000);
        let timeout = PollTimeout::try_from(millis).unwrap_or(PollTimeout::MAX);
        let mut ready = [PollFd::new(pipe.as_fd(), PollFlags::POLLIN)];
        match poll(&mut ready, timeout) {
            Ok(0) => {} // time is up, or nearly: the loop checks
            Ok(_) => return Ok(true),
            Err(Errno::EINTR) => {}
            Err(e) => return Err(e.into()),
        }
    }
}

// ANCHOR: start
impl Worker {
    fn start() -> io::Result<Worker> {
        let mut child = Command::new(env::current_exe()?)
            .env(ROLE_VARIABLE, "worker")
            // A crash report is the panic message, not a backtrace, even
            // when the person running the pool has RUST_BACKTRACE set.
            .env_remove("RUST_BACKTRACE")
            .env_remove("RUST_LIB_BACKTRACE")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let tasks = child.stdin.take();
        let answers = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        let stderr = thread::Builder::new().spawn(move || drain(stderr));
        let stderr = match stderr {
            Ok(handle) => Some(handle),
            Err(e) => {
                let _ = child.kill(); // no thread to drain it: do not keep it
                child.wait()?;
                return Err(e);
            }
        };
        Ok(Worker {
            child,
            tasks,
            answers,
            pending: Vec::new(),
            stderr,
        })
    }
}
// ANCHOR_END: start

/// Keeps the first `STDERR_KEPT` bytes of a worker's stderr, and reads
/// (and drops) the rest until the worker closes it.
fn drain(mut stderr: ChildStderr) -> String {
    let mut kept = Vec::new();
    let _ = (&mut stderr).take(STDERR_KEPT).read_to_end(&mut kept);
    let _ = io::copy(&mut stderr, &mut io::sink());
    String::from_utf8_lossy(&kept).into_owned()
}

// ANCHOR: finish
impl Worker {
    /// Kills a worker that overran its deadline, then finishes it.
    fn kill_and_finish(&mut self) -> io::Result<(ExitStatus, String)> {
        let _ = self.child.kill(); // Ok even if it has exited: finish reaps it
        self.finish()
    }

    /// Closes the worker's stdin and waits for it to end, at most
    /// `EXIT_TIMEOUT`: end-of-file on its stdout or a broken pipe on its
    /// stdin does not mean it has exited (it may have closed them, or be
    /// stuck in its exit), so a worker that is still there is killed.
    /// Returns its status and whatever it wrote to stderr.
    fn finish(&mut self) -> io::Result<(ExitStatus, String)> {
        self.tasks = None;
        let status = match self.child.wait_timeout(EXIT_TIMEOUT)? {
            Some(status) => status,
            None => {
                let _ = self.child.kill(); // ignored: the wait below reaps it either way
                self.child.wait()?
            }
        };
        let stderr = match self.stderr.take().map(JoinHandle::join) {
            Some(Ok(text)) => text,
            Some(Err(_)) => "(the stderr reader panicked)".to_string(),
            None => String::new(),
        };
        Ok((status, stderr))
    }
}
// ANCHOR_END: finish

impl Drop for Worker {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        // The worker is gone, so its stderr ends and the reader finishes
        // (a process it started could hold the pipe open: it starts none).
        if let Some(reader) = self.stderr.take() {
            let _ = reader.join();
        }
    }
}

// ANCHOR: types
struct Task {
    id: u64,
    start: u64,
    end: u64,
}

/// What one task gave: its count, or how the worker failed on it.
enum Answer {
    Primes(u64),
    Died,
    TimedOut,
    TooLong,
}

enum Outcome {
    Done {
        id: u64,
        primes: u64,
    },
    Failed {
        task: Task,
        why: &'static str,
        status: ExitStatus,
        stderr: String,
    },
}
// ANCHOR_END: types

// ANCHOR: manage
/// One thread of the parent per worker slot: take tasks from the shared
/// queue, hand them to the worker, replace the worker if it crashes or
/// overruns its deadline.
fn manage(queue: &Mutex<VecDeque<Task>>, started: &Mutex<u32>) -> io::Result<Vec<Outcome>> {
    let mut outcomes = Vec::new();
    let mut worker: Option<Worker> = None;
    loop {
        let Some(task) = queue.lock().unwrap().pop_front() else {
            break;
        };
        let current = match &mut worker {
            Some(current) => current,
            None => {
                *started.lock().unwrap() += 1;
                worker.insert(Worker::start()?)
            }
        };
        let (why, (status, stderr)) = match current.run(&task)? {
            Answer::Primes(primes) => {
                outcomes.push(Outcome::Done {
                    id: task.id,
                    primes,
                });
                continue;
            }
            Answer::Died => ("its worker died", current.finish()?),
            Answer::TimedOut => ("no answer in time", current.kill_and_finish()?),
            Answer::TooLong => ("its answer was too long", current.kill_and_finish()?),
        };
        outcomes.push(Outcome::Failed {
            task,
            why,
            status,
            stderr,
        });
        worker = None; // the next task gets a fresh worker
    }
    // `finish_last`, out of view, ends the last worker: an error if it failed.
    finish_last(worker)?;
    Ok(outcomes)
}

// ANCHOR_END: manage
/// Ends a slot's last worker, if it has one, and checks that it exited
/// cleanly.
fn finish_last(worker: Option<Worker>) -> io::Result<()> {
    if let Some(mut last) = worker {
        let (status, stderr) = last.finish()?;
        if !status.success() {
            return Err(io::Error::other(format!(
                "a worker failed at the end: {status}: {stderr}"
            )));
        }
    }
    Ok(())
}

/// `--workers N` (1 to 64), or one worker per core without arguments.
fn worker_count() -> Result<usize, String> {
    let args: Vec<String> = env::args().skip(1).collect();
    match &args[..] {
        [] => thread::available_parallelism()
            .map(|n| n.get())
            .map_err(|e| e.to_string()),
        [flag, n] if flag == "--workers" => match n.parse() {
            Ok(n @ 1..=64) => Ok(n),
            _ => Err(format!("--workers wants a number from 1 to 64, not {n:?}")),
        },
        _ => Err("usage: proc-pool [--workers N]".to_string()),
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    if env::var_os(ROLE_VARIABLE).is_some_and(|role| role == "worker") {
        return worker_main();
    }
    let tasks: VecDeque<Task> = (0..LIMIT / CHUNK)
        .map(|id| Task {
            id,
            start: id * CHUNK,
            end: (id + 1) * CHUNK,
        })
        .collect();
    let task_count = tasks.len();
    let slots = worker_count().unwrap_or_else(|message| {
        eprintln!("{message}");
        process::exit(2);
    });
    println!("pool: {slots} worker processes, {task_count} tasks of {CHUNK} numbers");
    let queue = Mutex::new(tasks);
    let started = Mutex::new(0);
    let per_slot = thread::scope(|scope| {
        let managers: Vec<_> = (0..slots)
            .map(|_| scope.spawn(|| manage(&queue, &started)))
            .collect();
        managers
            .into_iter()
            .map(|manager| manager.join().expect("a manager thread panicked"))
            .collect::<io::Result<Vec<_>>>()
    })?;

    let mut by_task: Vec<Option<u64>> = vec![None; task_count];
    let mut failed = Vec::new();
    let mut outcomes: Vec<Outcome> = per_slot.into_iter().flatten().collect();
    outcomes.sort_by_key(|outcome| match outcome {
        Outcome::Done { id, .. } => *id,
        Outcome::Failed { task, .. } => task.id,
    });
    for outcome in outcomes {
        match outcome {
            Outcome::Done { id, primes } => by_task[id as usize] = Some(primes),
            Outcome::Failed {
                task,
                why,
                status,
                stderr,
            } => {
                println!(
                    "task {} ({}..{}) failed, {why}: its worker ended with {status}",
                    task.id, task.start, task.end
                );
                for line in stderr.lines().filter(|line| !line.is_empty()) {
                    println!("  worker stderr: {line}");
                }
                failed.push(task);
            }
        }
    }
    // Like pool.map: the results in the order of the tasks, `--` if failed.
    println!("results in task order:");
    for row in by_task.chunks(10) {
        let cells: Vec<String> = row
            .iter()
            .map(|r| r.map_or("--".to_string(), |n| n.to_string()))
            .collect();
        println!("  {}", cells.join(" "));
    }
    let done = by_task.iter().flatten().count();
    let pool_primes: u64 = by_task.iter().flatten().sum();
    let started = started.into_inner().unwrap();
    println!(
        "pool: {done} of {task_count} tasks done, {} failed, {started} workers started",
        failed.len()
    );
    check_total(pool_primes, &failed)
}

/// Checks the pool's answer: counts the failed ranges here, in this
/// process, and compares the sum with the known count.
fn check_total(pool_primes: u64, failed: &[Task]) -> Result<(), Box<dyn Error>> {
    let recounted: u64 = failed
        .iter()
        .map(|task| count_primes(task.start, task.end))
        .sum();
    let total = pool_primes + recounted;
    println!("check: {pool_primes} primes from the pool + {recounted} recounted here = {total}");
    if total != PRIMES_BELOW_LIMIT {
        return Err(format!("wrong answer: expected {PRIMES_BELOW_LIMIT}").into());
    }
    println!("check: that is the known count of primes below {LIMIT}");
    Ok(())
}
