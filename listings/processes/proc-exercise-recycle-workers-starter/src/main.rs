use std::env;
use std::error::Error;
use std::io::{self, BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};

const ROLE_VARIABLE: &str = "RECYCLE_ROLE";
/// Like Python's Pool(maxtasksperchild=2).
const MAX_TASKS_PER_WORKER: u32 = 2;

/// A worker: squares one number per line, and says how many tasks it has
/// done so far (a worker that leaks memory would grow with that number).
fn worker_main() -> Result<(), Box<dyn Error>> {
    let mut out = io::stdout().lock();
    let mut done = 0;
    for line in io::stdin().lock().lines() {
        let n: u64 = line?.trim().parse()?;
        done += 1;
        writeln!(out, "{} {done}", n * n)?;
        out.flush()?;
    }
    Ok(())
}

/// The parent's handle on one worker; dropping it kills and reaps a worker
/// that still runs.
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

    /// Sends `n`; returns n² and how many tasks this worker has done.
    fn run(&mut self, n: u64) -> Result<(u64, u32), Box<dyn Error>> {
        writeln!(self.tasks.as_mut().expect("open until finish"), "{n}")?;
        let mut answer = String::new();
        if self.answers.read_line(&mut answer)? == 0 {
            return Err("the worker died".into());
        }
        let (square, done) = answer.trim().split_once(' ').ok_or("bad answer")?;
        Ok((square.parse()?, done.parse()?))
    }

    /// Closes its stdin (it then ends) and reaps it.
    fn finish(mut self) -> io::Result<ExitStatus> {
        self.tasks = None;
        self.child.wait()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// What `run_all` did.
struct Report {
    squares: Vec<u64>,
    started: u32,
    most_tasks: u32,
}

// ANCHOR: all
/// Runs every task on a worker, replacing the worker after
/// `MAX_TASKS_PER_WORKER` tasks.
fn run_all(tasks: &[u64]) -> Result<Report, Box<dyn Error>> {
    // TODO: one worker does everything; finish it after
    // MAX_TASKS_PER_WORKER tasks and start a fresh one for the next task.
    let mut worker = Worker::start()?;
    let mut report = Report {
        squares: Vec::new(),
        started: 1,
        most_tasks: 0,
    };
    for &n in tasks {
        let (square, done) = worker.run(n)?;
        report.squares.push(square);
        report.most_tasks = report.most_tasks.max(done);
    }
    let status = worker.finish()?;
    if !status.success() {
        return Err(format!("a worker failed: {status}").into());
    }
    Ok(report)
}
// ANCHOR_END: all

fn main() -> Result<(), Box<dyn Error>> {
    if env::var_os(ROLE_VARIABLE).is_some() {
        return worker_main();
    }
    let report = run_all(&[1, 2, 3, 4, 5, 6])?;
    println!("squares: {:?}", report.squares);
    println!(
        "workers started: {}; the busiest did {} tasks (limit {MAX_TASKS_PER_WORKER})",
        report.started, report.most_tasks
    );
    if report.most_tasks > MAX_TASKS_PER_WORKER {
        // The starter runs to the end so you can see what is missing.
        println!("not finished: a worker did more tasks than the limit");
    }
    Ok(())
}
