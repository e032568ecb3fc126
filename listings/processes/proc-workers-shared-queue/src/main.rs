use std::collections::VecDeque;
use std::env;
use std::error::Error;
use std::io::{self, BufRead, BufReader, Write};
use std::process::{self, Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::thread;

const ROLE_VARIABLE: &str = "SHARED_QUEUE_ROLE";
/// A fixed number of workers, so that every run prints the same first line.
const WORKERS: usize = 3;
const LIMIT: u64 = 500_000;
/// The numbers in one task without `--chunksize`.
const CHUNK: u64 = 25_000;
/// The number of primes below 500,000, to check the pool's answer.
const PRIMES_BELOW_LIMIT: u64 = 41_538;

fn count_primes(start: u64, end: u64) -> u64 {
    let is_prime = |n: u64| {
        n >= 2
            && (2..)
                .take_while(|d| d * d <= n)
                .all(|d| !n.is_multiple_of(d))
    };
    (start..end).filter(|&n| is_prime(n)).count() as u64
}

/// A worker process: one task per line on stdin ("ID START END"), one
/// answer per line on stdout ("ID COUNT"), until stdin ends.
fn worker_main() -> Result<(), Box<dyn Error>> {
    let mut out = io::stdout().lock();
    for line in io::stdin().lock().lines() {
        let line = line?;
        let numbers: Vec<u64> = line.split(' ').map(str::parse).collect::<Result<_, _>>()?;
        let [id, start, end] = numbers[..] else {
            return Err(format!("bad task line: {line:?}").into());
        };
        writeln!(out, "{id} {}", count_primes(start, end))?;
        out.flush()?; // the parent is waiting for this line
    }
    Ok(()) // the end of stdin: no more tasks
}

/// The parent's side of one worker: the child process and its two pipes.
struct Worker {
    child: Child,
    tasks: Option<ChildStdin>,
    answers: BufReader<ChildStdout>,
}

impl Worker {
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

    /// Sends one task and reads its answer: the number of primes.
    fn run(&mut self, task: &Task) -> io::Result<u64> {
        let tasks = self.tasks.as_mut().expect("open until finish");
        writeln!(tasks, "{} {} {}", task.id, task.start, task.end)?;
        let mut line = String::new();
        if self.answers.read_line(&mut line)? == 0 {
            return Err(io::Error::other("the worker ended early"));
        }
        match line.trim_end().split_once(' ') {
            Some((id, primes)) if id == task.id.to_string() => {
                primes.parse().map_err(io::Error::other)
            }
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

// ANCHOR: manage
/// A task: count the primes in `start..end`.
struct Task {
    id: u64,
    start: u64,
    end: u64,
}

/// One thread of the parent per worker: start the worker, then hand it
/// tasks from the shared queue until the queue is empty.
fn manage(queue: &Mutex<VecDeque<Task>>) -> io::Result<Vec<(u64, u64)>> {
    let mut worker = Worker::start()?;
    let mut results = Vec::new();
    loop {
        // The lock is released at the end of this statement, so the other
        // threads take tasks while this one waits for its worker.
        let Some(task) = queue.lock().unwrap().pop_front() else {
            break;
        };
        results.push((task.id, worker.run(&task)?));
    }
    let status = worker.finish()?;
    if !status.success() {
        return Err(io::Error::other(format!("a worker failed: {status}")));
    }
    Ok(results)
}
// ANCHOR_END: manage

// ANCHOR: main
fn main() -> Result<(), Box<dyn Error>> {
    if env::var_os(ROLE_VARIABLE).is_some() {
        return worker_main();
    }
    // Python's `chunksize`: how many numbers one task carries.
    let chunk = chunksize().unwrap_or_else(|message| {
        eprintln!("{message}");
        process::exit(2);
    });
    let tasks: VecDeque<Task> = (0..LIMIT.div_ceil(chunk))
        .map(|id| Task {
            id,
            start: id * chunk,
            end: ((id + 1) * chunk).min(LIMIT),
        })
        .collect();
    let task_count = tasks.len();
    println!("pool: {WORKERS} worker processes, {task_count} tasks of {chunk} numbers");
    let queue = Mutex::new(tasks);
    let per_worker = thread::scope(|scope| {
        let managers: Vec<_> = (0..WORKERS)
            .map(|_| scope.spawn(|| manage(&queue)))
            .collect();
        managers
            .into_iter()
            .map(|manager| manager.join().expect("a manager thread panicked"))
            .collect::<io::Result<Vec<_>>>()
    })?;
    // Like pool.map: the results in the order of the tasks.
    let mut results: Vec<(u64, u64)> = per_worker.into_iter().flatten().collect();
    results.sort();
    println!("results in task order:");
    for row in results.chunks(10) {
        let cells: Vec<String> = row.iter().map(|(_, primes)| primes.to_string()).collect();
        println!("  {}", cells.join(" "));
    }
    let total: u64 = results.iter().map(|(_, primes)| primes).sum();
    println!("primes below {LIMIT}: {total}");
    check(&results, task_count, total)
}
// ANCHOR_END: main

/// The lesson happened: every task came back once, and the sum is the
/// known count of primes.
fn check(results: &[(u64, u64)], tasks: usize, total: u64) -> Result<(), Box<dyn Error>> {
    let ids: Vec<u64> = results.iter().map(|(id, _)| *id).collect();
    if ids != (0..tasks as u64).collect::<Vec<_>>() {
        return Err(format!("tasks missing or repeated: {ids:?}").into());
    }
    if total != PRIMES_BELOW_LIMIT {
        return Err(format!("wrong answer: expected {PRIMES_BELOW_LIMIT}").into());
    }
    Ok(())
}

/// `--chunksize N` (1,000 to 500,000), or `CHUNK` without arguments.
fn chunksize() -> Result<u64, String> {
    let args: Vec<String> = env::args().skip(1).collect();
    match &args[..] {
        [] => Ok(CHUNK),
        [flag, n] if flag == "--chunksize" => match n.parse() {
            Ok(n @ 1_000..=LIMIT) => Ok(n),
            _ => Err(format!(
                "--chunksize wants a number from 1000 to {LIMIT}, not {n:?}"
            )),
        },
        _ => Err("usage: proc-workers-shared-queue [--chunksize N]".to_string()),
    }
}
