use std::env;
use std::error::Error;
use std::io::{self, BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};

const ROLE_VARIABLE: &str = "ONE_WORKER_ROLE";

/// The tasks: count the primes in `start..end`. Task 2's range is
/// backwards, a mistake in the input that the task function refuses.
const TASKS: [(u64, u64); 4] = [
    (0, 10_000),
    (10_000, 20_000),
    (30_000, 20_000),
    (20_000, 30_000),
];

// ANCHOR: worker
/// The task function. Its `Err` is an answer like any other, as an
/// exception raised by a task is in Python: the worker goes on.
fn count_primes(start: u64, end: u64) -> Result<u64, String> {
    if start > end {
        return Err(format!("no range {start}..{end}: it starts after its end"));
    }
    let is_prime = |n: u64| {
        n >= 2
            && (2..)
                .take_while(|d| d * d <= n)
                .all(|d| !n.is_multiple_of(d))
    };
    Ok((start..end).filter(|&n| is_prime(n)).count() as u64)
}

/// A worker process: one task per line on stdin ("START END"), one answer
/// per line on stdout ("ok COUNT" or "err MESSAGE").
fn worker_main() -> Result<(), Box<dyn Error>> {
    let mut out = io::stdout().lock();
    for line in io::stdin().lock().lines() {
        let line = line?;
        let (start, end) = line.split_once(' ').ok_or("a task is two numbers")?;
        match count_primes(start.parse()?, end.parse()?) {
            Ok(count) => writeln!(out, "ok {count}")?,
            Err(message) => writeln!(out, "err {message}")?,
        }
        out.flush()?; // the parent is waiting for this line
    }
    Ok(()) // the end of stdin: no more tasks
}
// ANCHOR_END: worker

// ANCHOR: handle
/// The parent's side of one worker: the child process and its two pipes.
struct Worker {
    child: Child,
    tasks: Option<ChildStdin>,
    answers: BufReader<ChildStdout>,
}

impl Worker {
    /// Sends one task and reads its answer. The outer `Result` is about the
    /// worker (a broken pipe, a garbled line); the inner one is the task's.
    fn run(&mut self, start: u64, end: u64) -> io::Result<Result<u64, String>> {
        let tasks = self.tasks.as_mut().expect("open until finish");
        writeln!(tasks, "{start} {end}")?;
        let mut line = String::new();
        if self.answers.read_line(&mut line)? == 0 {
            return Err(io::Error::other("the worker ended early"));
        }
        match line.trim_end().split_once(' ') {
            Some(("ok", count)) => Ok(Ok(count.parse().map_err(io::Error::other)?)),
            Some(("err", message)) => Ok(Err(message.to_string())),
            _ => Err(io::Error::other(format!("bad answer {line:?}"))),
        }
    }

    /// Closes the worker's stdin, which says "no more tasks", and reaps it.
    fn finish(mut self) -> io::Result<ExitStatus> {
        self.tasks = None;
        self.child.wait()
    }
}

impl Drop for Worker {
    /// On an error path, a worker still running is killed and reaped.
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Worker {
    /// Starts this program again as a worker, with its stdin and stdout piped.
    fn start() -> io::Result<Worker> {
        let mut child = Command::new(env::current_exe()?)
            .env(ROLE_VARIABLE, "worker")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let tasks = child.stdin.take();
        let answers = BufReader::new(child.stdout.take().expect("stdout is piped"));
        Ok(Worker {
            child,
            tasks,
            answers,
        })
    }
}
// ANCHOR_END: handle

// ANCHOR: main
fn main() -> Result<(), Box<dyn Error>> {
    if env::var_os(ROLE_VARIABLE).is_some() {
        return worker_main();
    }
    let mut worker = Worker::start()?;
    // Python's `is_alive()`: try_wait never blocks; None means "running".
    println!(
        "worker started, alive: {}",
        worker.child.try_wait()?.is_none()
    );
    let mut outcomes = Vec::new();
    for (id, (start, end)) in TASKS.into_iter().enumerate() {
        let outcome = worker.run(start, end)?;
        match &outcome {
            Ok(count) => println!("task {id}: {count} primes in {start}..{end}"),
            Err(message) => println!("task {id} failed in the worker: {message}"),
        }
        outcomes.push(outcome.map_err(|message| format!("task {id}: {message}")));
    }
    println!("worker still alive: {}", worker.child.try_wait()?.is_none());
    let status = worker.finish()?;
    println!("worker ended: {status}");
    // Like `pool.map`: the first task that failed fails the whole call,
    // with that task's error, and the other results are dropped.
    let counts: Result<Vec<u64>, String> = outcomes.into_iter().collect();
    match &counts {
        Ok(counts) => println!("map: {counts:?}"),
        Err(message) => println!("map: Err({message:?})"),
    }
    check(status, &counts)
}
// ANCHOR_END: main

/// The lesson happened: the worker exited cleanly after serving every task,
/// and the call as a whole failed with task 2's error.
fn check(status: ExitStatus, counts: &Result<Vec<u64>, String>) -> Result<(), Box<dyn Error>> {
    if !status.success() {
        return Err(format!("the worker failed: {status}").into());
    }
    match counts {
        Err(message) if message.starts_with("task 2: ") => Ok(()),
        other => Err(format!("expected task 2's error, got {other:?}").into()),
    }
}
