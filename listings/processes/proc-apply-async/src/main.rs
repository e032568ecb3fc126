use std::env;
use std::error::Error;
use std::io::{self, BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::Duration;

const ROLE_VARIABLE: &str = "APPLY_ASYNC_ROLE";
/// How long `main` waits for one result, like `AsyncResult.get(timeout=10)`.
const PATIENCE: Duration = Duration::from_secs(10);

fn count_primes(start: u64, end: u64) -> u64 {
    let is_prime = |n: u64| {
        n >= 2
            && (2..)
                .take_while(|d| d * d <= n)
                .all(|d| !n.is_multiple_of(d))
    };
    (start..end).filter(|&n| is_prime(n)).count() as u64
}

/// A worker process: "START END" per line on stdin, the count on stdout.
fn worker_main() -> Result<(), Box<dyn Error>> {
    let mut out = io::stdout().lock();
    for line in io::stdin().lock().lines() {
        let line = line?;
        let (start, end) = line.split_once(' ').ok_or("a task is two numbers")?;
        writeln!(out, "{}", count_primes(start.parse()?, end.parse()?))?;
        out.flush()?; // the parent is waiting for this line
    }
    Ok(())
}

/// The parent's side of one worker process, as in `proc-one-worker`, but
/// the `Pool` shares its `Child`, so that dropping the pool can kill it.
struct Worker {
    child: Arc<Mutex<Child>>,
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
            child: Arc::new(Mutex::new(child)),
            tasks,
            answers,
        })
    }

    fn run(&mut self, start: u64, end: u64) -> io::Result<u64> {
        let tasks = self.tasks.as_mut().expect("open until finish");
        writeln!(tasks, "{start} {end}")?;
        let mut line = String::new();
        if self.answers.read_line(&mut line)? == 0 {
            return Err(io::Error::other("the worker ended early"));
        }
        line.trim_end().parse().map_err(io::Error::other)
    }

    /// Closes the worker's stdin ("no more tasks") and reaps it.
    fn finish(mut self) -> io::Result<ExitStatus> {
        self.tasks = None;
        lock(&self.child).wait()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let mut child = lock(&self.child);
        if let Ok(None) = child.try_wait() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The child behind the mutex, even if a thread panicked while holding it:
/// a `Child` stays usable whatever that thread was doing.
fn lock(child: &Mutex<Child>) -> MutexGuard<'_, Child> {
    child.lock().unwrap_or_else(PoisonError::into_inner)
}

// ANCHOR: pool
/// One task, and what to do with its answer when it arrives.
struct Job {
    start: u64,
    end: u64,
    reply: Box<dyn FnOnce(io::Result<u64>) + Send>,
}

/// A pool of one worker process, fed by a channel of jobs that a manager
/// thread of the parent takes one at a time.
struct Pool {
    jobs: Option<Sender<Job>>,
    manager: Option<JoinHandle<io::Result<ExitStatus>>>,
    worker: Arc<Mutex<Child>>, // for `Drop`, to kill a stuck worker
}

impl Pool {
    fn new() -> io::Result<Pool> {
        let mut worker = Worker::start()?;
        let child = Arc::clone(&worker.child);
        let (jobs, queue) = mpsc::channel::<Job>();
        let manager = thread::Builder::new()
            .name("pool-manager".to_string())
            .spawn(move || {
                for job in queue {
                    (job.reply)(worker.run(job.start, job.end));
                }
                worker.finish() // the queue is closed and empty
            })?;
        Ok(Pool {
            jobs: Some(jobs),
            manager: Some(manager),
            worker: child,
        })
    }
}
// ANCHOR_END: pool

// ANCHOR: apply
impl Pool {
    /// `apply_async(count_primes, (start, end), callback=callback)`: the
    /// callback runs on the manager thread when the answer arrives.
    fn apply_async_with<F>(&self, start: u64, end: u64, callback: F)
    where
        F: FnOnce(io::Result<u64>) + Send + 'static,
    {
        let reply = Box::new(callback);
        let jobs = self.jobs.as_ref().expect("open until close");
        // It fails only if the manager has stopped; then the reply's
        // sender is dropped, and a caller waiting on it hears of it.
        let _ = jobs.send(Job { start, end, reply });
    }

    /// `apply_async(count_primes, (start, end))`: the receiver stands for
    /// the `AsyncResult`, and `recv_timeout` for its `get(timeout)`.
    fn apply_async(&self, start: u64, end: u64) -> Receiver<io::Result<u64>> {
        let (sender, result) = mpsc::channel();
        self.apply_async_with(start, end, move |answer| {
            let _ = sender.send(answer); // the caller may have stopped waiting
        });
        result
    }
}
// ANCHOR_END: apply

impl Pool {
    /// `pool.close(); pool.join()`: no more jobs, finish those queued.
    fn close(mut self) -> io::Result<ExitStatus> {
        self.shut_down()
    }

    fn shut_down(&mut self) -> io::Result<ExitStatus> {
        drop(self.jobs.take()); // the manager's loop ends when the queue is empty
        match self.manager.take().map(JoinHandle::join) {
            Some(Ok(status)) => status,
            Some(Err(_)) => Err(io::Error::other("the manager thread panicked")),
            None => Err(io::Error::other("already closed")),
        }
    }
}

impl Drop for Pool {
    /// Python's `terminate()`, which leaving `with Pool()` calls: on an
    /// error path, such as a `get` that timed out, the worker may be stuck.
    /// Joining the manager would then wait as long as the worker, so kill
    /// the worker first. Its manager then reads the end of its stdout,
    /// answers the jobs left with an error, and reaps it.
    fn drop(&mut self) {
        if self.manager.is_some() {
            // A reaped child is not signalled: std's kill checks first.
            let _ = lock(&self.worker).kill();
            let _ = self.shut_down();
        }
    }
}

// ANCHOR: main
fn main() -> Result<(), Box<dyn Error>> {
    if env::var_os(ROLE_VARIABLE).is_some() {
        return worker_main();
    }
    let pool = Pool::new()?;
    let first = pool.apply_async(0, 20_000);
    pool.apply_async_with(20_000, 40_000, |answer| match answer {
        Ok(count) => {
            let thread = thread::current();
            let name = thread.name().unwrap_or("unnamed");
            println!("callback on thread {name}: {count} primes in 20000..40000");
        }
        Err(e) => println!("callback: the worker failed: {e}"),
    });
    let third = pool.apply_async(40_000, 60_000);
    println!("main: three tasks submitted");
    for (result, range) in [(first, "0..20000"), (third, "40000..60000")] {
        let count = result.recv_timeout(PATIENCE)??;
        println!("main: get(timeout=10) gave {count} primes in {range}");
    }
    let status = pool.close()?;
    println!("main: pool closed, its worker ended with {status}");
    Ok(())
}
// ANCHOR_END: main
