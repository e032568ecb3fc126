use std::collections::VecDeque;
use std::env;
use std::error::Error;
use std::io::{self, BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Condvar, Mutex};
use std::thread;

const ROLE_VARIABLE: &str = "AS_COMPLETED_ROLE";
/// Where a worker finds its initargs (`Pool(initargs=...)`).
const INITARGS_VARIABLE: &str = "AS_COMPLETED_TABLE_UP_TO";
/// Worker processes at a time, like `Pool(processes=2)`.
const SLOTS: usize = 2;
/// Like `Pool(maxtasksperchild=3)`: a worker is retired after 3 tasks.
const MAX_TASKS_PER_WORKER: usize = 3;
const LIMIT: u64 = 500_000;
/// Task 0 counts the primes below this, far more work than any other task.
const BIG_TASK_END: u64 = 440_000;
/// Tasks 1 to 6 count the primes in 10,000 numbers each, up to `LIMIT`.
const SMALL_TASK: u64 = 10_000;
/// The number of primes below 500,000, to check the pool's answer.
const PRIMES_BELOW_LIMIT: u64 = 41_538;

struct Task {
    id: u64,
    start: u64,
    end: u64,
}

/// "1 2 3" into numbers; an error names the line.
fn parse_numbers(line: &str) -> io::Result<Vec<u64>> {
    line.split_whitespace()
        .map(|word| {
            word.parse()
                .map_err(|_| io::Error::other(format!("bad line {line:?}")))
        })
        .collect()
}

// ANCHOR: worker
/// How many times this process has run `initializer`. Reported to the
/// parent only to prove the point: once per worker, not once per task.
static INITIALISED: AtomicU32 = AtomicU32::new(0);

/// The initializer, Python's `initializer(*initargs)`: the work every task
/// needs, done once per worker process. Here, a table of the primes up to
/// `table_up_to` (a sieve), by which the tasks divide.
fn initializer(table_up_to: u64) -> Vec<u64> {
    INITIALISED.fetch_add(1, Ordering::Relaxed);
    let up_to = table_up_to as usize;
    let mut composite = vec![false; up_to + 1];
    let mut primes = Vec::new();
    for n in 2..=up_to {
        if !composite[n] {
            primes.push(n as u64);
            (n * n..=up_to).step_by(n).for_each(|m| composite[m] = true);
        }
    }
    primes
}

// ANCHOR_END: worker
/// Counts the primes in `start..end`, dividing by the table's primes only.
fn count_primes(table: &[u64], start: u64, end: u64) -> u64 {
    let is_prime = |n: u64| {
        n >= 2
            && table
                .iter()
                .take_while(|&&p| p * p <= n)
                .all(|&p| !n.is_multiple_of(p))
    };
    (start..end).filter(|&n| is_prime(n)).count() as u64
}

// ANCHOR: worker
/// A worker process. Its initargs come in its environment; then one task
/// per line on stdin ("id start end"), one answer per line on stdout
/// ("id primes"). When stdin ends (the parent retires it), it reports how
/// many times it ran the initializer, the tasks it served and its table.
fn worker_main() -> Result<(), Box<dyn Error>> {
    let table_up_to: u64 = env::var(INITARGS_VARIABLE)?.parse()?;
    let table = initializer(table_up_to); // once, before the first task
    let mut out = io::stdout().lock();
    let mut served = 0;
    for line in io::stdin().lock().lines() {
        let [id, start, end] = parse_numbers(&line?)?[..] else {
            return Err("a task is three numbers".into());
        };
        writeln!(out, "{id} {}", count_primes(&table, start, end))?;
        out.flush()?; // the parent is waiting for this line
        served += 1;
    }
    let initialised = INITIALISED.load(Ordering::Relaxed);
    writeln!(out, "{initialised} {served} {}", table.len())?;
    Ok(())
}
// ANCHOR_END: worker

/// What a worker said when it was retired, and what the parent gave it.
struct WorkerReport {
    number: u32,
    slot: usize,
    initialised: u64,
    table_len: u64,
    tasks: Vec<u64>,
}

/// The parent's handle on one worker process. Dropping it kills and reaps
/// a worker that is still running, so no error path leaves one behind.
/// Simplified: unlike `proc-pool`, it waits for an answer without a
/// deadline and does not survive a worker that crashes.
struct Worker {
    number: u32,
    slot: usize,
    child: Child,
    tasks: Option<ChildStdin>,
    answers: BufReader<ChildStdout>,
    /// The ids of the tasks the parent gave it: the parent's own count.
    given: Vec<u64>,
}

impl Worker {
    fn start(number: u32, slot: usize, table_up_to: u64) -> io::Result<Worker> {
        let mut child = Command::new(env::current_exe()?)
            .env(ROLE_VARIABLE, "worker")
            .env(INITARGS_VARIABLE, table_up_to.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let tasks = child.stdin.take();
        let answers = BufReader::new(child.stdout.take().expect("stdout is piped"));
        Ok(Worker {
            number,
            slot,
            child,
            tasks,
            answers,
            given: Vec::new(),
        })
    }

    fn ended_early(&self) -> io::Error {
        io::Error::other(format!("worker {} ended early", self.number))
    }

    fn read_numbers(&mut self) -> io::Result<Vec<u64>> {
        let mut line = String::new();
        if self.answers.read_line(&mut line)? == 0 {
            return Err(self.ended_early());
        }
        parse_numbers(&line)
    }

    /// Runs one task on this worker: the number of primes.
    fn run(&mut self, task: &Task) -> io::Result<u64> {
        let tasks = self.tasks.as_mut().expect("open until retired");
        // A worker that has already exited closes its stdin: the write
        // fails with BrokenPipe, the same news as end-of-file on its stdout.
        let written = writeln!(tasks, "{} {} {}", task.id, task.start, task.end);
        match written {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Err(self.ended_early()),
            other => other?,
        }
        self.given.push(task.id);
        match self.read_numbers()?[..] {
            [id, primes] if id == task.id => Ok(primes),
            _ => Err(io::Error::other(format!("bad answer to task {}", task.id))),
        }
    }

    /// Closes its stdin (no more tasks), reads its report and reaps it.
    fn retire(mut self) -> io::Result<WorkerReport> {
        self.tasks = None;
        let report = self.read_numbers()?;
        let status = self.child.wait()?;
        let [initialised, served, table_len] = report[..] else {
            return Err(io::Error::other("a report is three numbers"));
        };
        if !status.success() || served != self.given.len() as u64 {
            let number = self.number;
            return Err(io::Error::other(format!("worker {number}: {status}")));
        }
        Ok(WorkerReport {
            number: self.number,
            slot: self.slot,
            initialised,
            table_len,
            tasks: std::mem::take(&mut self.given),
        })
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

/// Stages the order the page shows: task 0's result waits until another
/// result has gone to `main`. Opens then, or once a manager has returned
/// (so that an error elsewhere cannot leave the one holding task 0 waiting
/// for ever).
struct Overtaken {
    open: Mutex<bool>,
    opened: Condvar,
}

static OVERTAKEN: Overtaken = Overtaken {
    open: Mutex::new(false),
    opened: Condvar::new(),
};

/// Opens `OVERTAKEN` when dropped, that is when a manager returns.
struct OpenWhenDone;

impl Drop for OpenWhenDone {
    fn drop(&mut self) {
        OVERTAKEN.open();
    }
}

impl Overtaken {
    fn open(&self) {
        *self.open.lock().unwrap() = true;
        self.opened.notify_all();
    }

    fn wait(&self) {
        let open = self.open.lock().unwrap();
        drop(self.opened.wait_while(open, |open| !*open).unwrap());
    }

    /// Before task `id`'s result goes to `main`: task 0's waits until
    /// another has gone. On a loaded machine the other slot could start so
    /// late that task 0 finished first, and the run would show nothing.
    fn before_sending(&self, id: u64) {
        if id == 0 && SLOTS > 1 {
            self.wait();
        }
    }

    /// After task `id`'s result has gone to `main`: any but task 0's opens.
    fn after_sending(&self, id: u64) {
        if id != 0 {
            self.open();
        }
    }
}

// ANCHOR: manage
/// One thread of the parent per worker slot: take the next task, run it,
/// send the result at once, and retire the worker after
/// `MAX_TASKS_PER_WORKER` tasks (the parent counts them).
fn manage(
    slot: usize,
    queue: &Mutex<VecDeque<Task>>,
    started: &AtomicU32,
    events: Sender<Event>,
    table_up_to: u64,
) -> io::Result<()> {
    let _open_when_done = OpenWhenDone; // staging: opens the gate on return
    let mut worker: Option<Worker> = None;
    loop {
        let Some(task) = queue.lock().unwrap().pop_front() else {
            break;
        };
        let current = match &mut worker {
            Some(current) => current,
            None => {
                let number = started.fetch_add(1, Ordering::Relaxed) + 1;
                worker.insert(Worker::start(number, slot, table_up_to)?)
            }
        };
        let primes = current.run(&task)?;
        let id = task.id;
        // Staging, not part of a pool: task 0's result waits until another
        // result has gone to main, so that every run shows it overtaken.
        OVERTAKEN.before_sending(id);
        let done = Event::Done {
            task,
            primes,
            worker: current.number,
        };
        // Sent the moment it is known. (It fails only if main has stopped
        // listening, and then nobody wants the result.)
        let _ = events.send(done);
        OVERTAKEN.after_sending(id); // staging: any other result opens the gate
        if current.given.len() == MAX_TASKS_PER_WORKER {
            let retired = worker.take().expect("just used").retire()?;
            let _ = events.send(Event::Ended(retired));
        }
    }
    if let Some(last) = worker {
        let _ = events.send(Event::Ended(last.retire()?));
    }
    Ok(())
}
// ANCHOR_END: manage

// ANCHOR: consume
/// What the parent learns, in the order it learns it.
enum Event {
    Done {
        task: Task,
        primes: u64,
        worker: u32,
    },
    Ended(WorkerReport),
}

/// Like `for result in pool.imap_unordered(...)`: handles each result the
/// moment it arrives, while the workers are still busy with the others.
/// Returns (task id, primes) in the order they arrived, and the workers'
/// reports.
fn consume(events: Receiver<Event>) -> (Vec<(u64, u64)>, Vec<WorkerReport>) {
    let mut arrived = Vec::new();
    let mut workers = Vec::new();
    println!("results as they complete:");
    for event in events {
        match event {
            Event::Done {
                task,
                primes,
                worker,
            } => {
                arrived.push((task.id, primes));
                let (id, start, end) = (task.id, task.start, task.end);
                let rank = arrived.len();
                println!(
                    "  #{rank} task {id} ({start}..{end}): {primes} primes, from worker {worker}"
                );
            }
            Event::Ended(report) => workers.push(report),
        }
    }
    (arrived, workers)
}
// ANCHOR_END: consume

/// Task 0 first, the largest by far; then six small ones.
fn tasks() -> VecDeque<Task> {
    let mut tasks = VecDeque::from([Task {
        id: 0,
        start: 0,
        end: BIG_TASK_END,
    }]);
    for (start, id) in (BIG_TASK_END..LIMIT).step_by(SMALL_TASK as usize).zip(1..) {
        let end = start + SMALL_TASK;
        tasks.push_back(Task { id, start, end });
    }
    tasks
}

// ANCHOR: main
fn main() -> Result<(), Box<dyn Error>> {
    if env::var_os(ROLE_VARIABLE).is_some_and(|role| role == "worker") {
        return worker_main();
    }
    let tasks = tasks();
    let task_count = tasks.len();
    println!(
        "pool: {SLOTS} worker processes, at most {MAX_TASKS_PER_WORKER} tasks each, {task_count} tasks"
    );
    // The initargs: the table must hold every prime up to √(LIMIT - 1).
    let table_up_to = (LIMIT - 1).isqrt();
    let (queue, started) = (Mutex::new(tasks), AtomicU32::new(0));
    let (sender, events) = mpsc::channel();
    let (arrived, mut workers) = thread::scope(|scope| {
        let managers: Vec<_> = (1..=SLOTS)
            .map(|slot| {
                let (queue, started) = (&queue, &started);
                let sender = sender.clone();
                scope.spawn(move || manage(slot, queue, started, sender, table_up_to))
            })
            .collect();
        drop(sender); // the channel ends when the last manager drops its sender
        let consumed = consume(events);
        for manager in managers {
            manager.join().expect("a manager thread panicked")?;
        }
        Ok::<_, io::Error>(consumed)
    })?;
    report(&arrived, &mut workers)
}
// ANCHOR_END: main

fn how_often(count: u64) -> String {
    match count {
        1 => "once".to_string(),
        n => format!("{n} times"),
    }
}

/// Prints what each worker did, then checks what the run was to show.
fn report(arrived: &[(u64, u64)], workers: &mut [WorkerReport]) -> Result<(), Box<dyn Error>> {
    println!("workers, in the order they started:");
    workers.sort_by_key(|worker| worker.number);
    for worker in workers.iter() {
        let tasks: Vec<String> = worker.tasks.iter().map(u64::to_string).collect();
        let (plural, retired) = match worker.tasks.len() {
            1 => ("", ""),
            MAX_TASKS_PER_WORKER => ("s", ", then retired"),
            _ => ("s", ""),
        };
        println!(
            "  worker {} (slot {}): initialised {} (a table of {} primes), served task{plural} {}{retired}",
            worker.number,
            worker.slot,
            how_often(worker.initialised),
            worker.table_len,
            tasks.join(" ")
        );
    }
    let count = arrived.len();
    let rank = 1 + arrived
        .iter()
        .position(|&(id, _)| id == 0)
        .ok_or("no task 0")?;
    // Say what is staged: task 0 is held until another result is out.
    println!(
        "check: task 0, submitted first, arrived #{rank} of {count} (staged: the parent held it back until another result was out)"
    );
    let runs: u64 = workers.iter().map(|worker| worker.initialised).sum();
    println!(
        "check: {} worker processes for {SLOTS} slots ran the initializer {runs} times in all, for {count} tasks",
        workers.len()
    );
    let total: u64 = arrived.iter().map(|&(_, primes)| primes).sum();
    println!("check: primes below {LIMIT}: {total}");
    if workers.len() <= SLOTS {
        return Err("no worker was recycled".into());
    }
    if total != PRIMES_BELOW_LIMIT {
        return Err(format!("wrong answer: expected {PRIMES_BELOW_LIMIT}").into());
    }
    Ok(())
}
