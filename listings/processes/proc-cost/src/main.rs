//! Linux only: it reads /proc/PID/smaps_rollup and /proc/meminfo.

#[cfg(target_os = "linux")]
use {
    nix::errno::Errno,
    nix::poll::{PollFd, PollFlags, PollTimeout, poll},
    nix::sys::wait::{WaitStatus, waitpid},
    nix::unistd::{ForkResult, Pid, fork},
    std::env,
    std::error::Error,
    std::fs,
    std::io::{self, PipeWriter, Read, Write},
    std::os::fd::AsFd,
    std::process::{Child, Command, Stdio},
    std::sync::mpsc,
    std::thread,
    std::time::{Duration, Instant},
};

#[cfg(target_os = "linux")]
const ROLE_VARIABLE: &str = "COST_DEMO_ROLE";
#[cfg(target_os = "linux")]
const STARTS: u32 = 50;
#[cfg(target_os = "linux")]
const ROUNDS: usize = 3;
#[cfg(target_os = "linux")]
const PYTHON_ROUNDS: usize = 1;
/// How long a group of units may take to say it is ready.
#[cfg(target_os = "linux")]
const READY_TIMEOUT: Duration = Duration::from_secs(5);

#[cfg(target_os = "linux")]
type Res<T> = Result<T, Box<dyn Error>>;

#[cfg(target_os = "linux")]
// ANCHOR: metric
/// The book's memory metric, in KiB: what the processes involved hold in
/// RAM (PSS), their page tables, and the kernel stacks of all tasks.
#[derive(Clone, Copy)]
struct Footprint {
    pss: f64,
    page_tables: f64,
    kernel_stacks: f64,
}

// ANCHOR_END: metric
#[cfg(target_os = "linux")]
// ANCHOR: metric
/// The value of `field` in a /proc file of "Name:   1234 kB" lines.
fn kib(file: &str, field: &str) -> Res<f64> {
    let text = fs::read_to_string(file)?;
    let value = text
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .ok_or_else(|| format!("no {field} in {file}"))?;
    Ok(value.trim().trim_end_matches(" kB").parse()?)
}

// ANCHOR_END: metric
#[cfg(target_os = "linux")]
// ANCHOR: metric
/// This process plus `children`. PSS counts a page shared by n processes
/// as 1/n in each, so the sum is what they hold together. Page tables are
/// read per process (VmPTE): /proc/meminfo's PageTables lags by up to a
/// second. Kernel stacks are the system-wide KernelStack.
fn footprint(children: &[u32]) -> Res<Footprint> {
    let mut pss = kib("/proc/self/smaps_rollup", "Pss")?;
    let mut page_tables = kib("/proc/self/status", "VmPTE")?;
    for pid in children {
        pss += kib(&format!("/proc/{pid}/smaps_rollup"), "Pss")?;
        page_tables += kib(&format!("/proc/{pid}/status"), "VmPTE")?;
    }
    Ok(Footprint {
        pss,
        page_tables,
        kernel_stacks: kib("/proc/meminfo", "KernelStack")?,
    })
}
// ANCHOR_END: metric

/// A group of idle units (threads or processes) that exist until released.
#[cfg(target_os = "linux")]
trait Idle {
    /// The processes to add to the measurement (none for threads).
    fn pids(&self) -> Vec<u32>;
    /// Ends every unit and waits for it.
    fn release(self) -> Res<()>;
}

/// The metric's growth while `count` units idle, divided by `count`: the
/// median of each part over `rounds` rounds.
#[cfg(target_os = "linux")]
fn per_unit<U: Idle>(
    rounds: usize,
    count: usize,
    start: impl Fn(usize) -> Res<U>,
) -> Res<Footprint> {
    let mut samples = Vec::new();
    for _ in 0..rounds {
        let before = footprint(&[])?;
        let units = start(count)?;
        let after = footprint(&units.pids());
        units.release()?; // release before `?`: never leave units behind
        let after = after?;
        let n = count as f64;
        samples.push(Footprint {
            pss: (after.pss - before.pss) / n,
            page_tables: (after.page_tables - before.page_tables) / n,
            kernel_stacks: (after.kernel_stacks - before.kernel_stacks) / n,
        });
    }
    let median = |part: fn(&Footprint) -> f64| {
        let mut values: Vec<f64> = samples.iter().map(part).collect();
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    Ok(Footprint {
        pss: median(|f| f.pss),
        page_tables: median(|f| f.page_tables),
        kernel_stacks: median(|f| f.kernel_stacks),
    })
}

/// Idle threads, each blocked on a channel until its sender is dropped.
#[cfg(target_os = "linux")]
struct IdleThreads {
    releases: Vec<mpsc::Sender<()>>,
    threads: Vec<thread::JoinHandle<()>>,
}

#[cfg(target_os = "linux")]
fn start_threads(count: usize) -> Res<IdleThreads> {
    let (ready_sender, ready) = mpsc::channel();
    let mut idle = IdleThreads {
        releases: Vec::new(),
        threads: Vec::new(),
    };
    for _ in 0..count {
        let (release, released) = mpsc::channel::<()>();
        let ready_sender = ready_sender.clone();
        idle.threads.push(thread::spawn(move || {
            let _ = ready_sender.send(());
            let _ = released.recv(); // returns when the sender is dropped
        }));
        idle.releases.push(release);
    }
    for _ in 0..count {
        ready.recv()?;
    }
    Ok(idle)
}

#[cfg(target_os = "linux")]
impl Idle for IdleThreads {
    fn pids(&self) -> Vec<u32> {
        Vec::new()
    }
    fn release(self) -> Res<()> {
        drop(self.releases);
        for thread in self.threads {
            thread.join().map_err(|_| "an idle thread panicked")?;
        }
        Ok(())
    }
}

/// Idle forked children, each blocked on a pipe until its write end closes.
/// Dropping the group (on an error path too) releases and reaps them.
#[cfg(target_os = "linux")]
struct IdleForks {
    children: Vec<Pid>,
    release: Option<PipeWriter>,
}

#[cfg(target_os = "linux")]
fn start_forks(count: usize) -> Res<IdleForks> {
    let (mut released, release) = io::pipe()?;
    let (mut ready, ready_writer) = io::pipe()?;
    let mut idle = IdleForks {
        children: Vec::new(),
        release: Some(release),
    };
    for _ in 0..count {
        // SAFETY: called only while this program has a single thread.
        match unsafe { fork() }? {
            ForkResult::Child => {
                // Close our copy of the write end, or no child would ever
                // see the end of the pipe: each would keep it open.
                drop(idle.release.take());
                let _ = (&ready_writer).write_all(b"r");
                let _ = released.read_to_end(&mut Vec::new()); // until released
                // SAFETY: _exit takes no pointer and is async-signal-safe; unlike
                // process::exit it flushes none of the parent's stdio buffers.
                unsafe { libc::_exit(0) }
            }
            ForkResult::Parent { child } => idle.children.push(child),
        }
    }
    drop(ready_writer);
    // One byte per child: all idle. With a deadline, like every wait here.
    let deadline = Instant::now() + READY_TIMEOUT;
    read_by(&mut ready, deadline, |got| got.len() >= count)?;
    drop(released); // only the children read from it
    Ok(idle)
}

#[cfg(target_os = "linux")]
impl Idle for IdleForks {
    fn pids(&self) -> Vec<u32> {
        self.children
            .iter()
            .map(|pid| pid.as_raw() as u32)
            .collect()
    }
    fn release(mut self) -> Res<()> {
        drop(self.release.take());
        let mut failures = Vec::new();
        for child in std::mem::take(&mut self.children) {
            match waitpid(child, None) {
                Ok(WaitStatus::Exited(_, 0)) => {}
                other => failures.push(format!("{other:?}")),
            }
        }
        match failures.is_empty() {
            true => Ok(()),
            false => Err(format!("idle children failed: {}", failures.join(", ")).into()),
        }
    }
}

#[cfg(target_os = "linux")]
impl Drop for IdleForks {
    fn drop(&mut self) {
        drop(self.release.take());
        for &child in &self.children {
            let _ = waitpid(child, None);
        }
    }
}

/// Idle copies of this program started with `Command`, each blocked on
/// its stdin until the parent closes it.
#[cfg(target_os = "linux")]
struct IdleCommands(Vec<Child>);

#[cfg(target_os = "linux")]
fn start_commands(count: usize) -> Res<IdleCommands> {
    let this_program = env::current_exe()?;
    start_programs(count, || {
        let mut command = Command::new(&this_program);
        command.env(ROLE_VARIABLE, "idle");
        command
    })
}

/// The same with idle Python interpreters, for comparison.
#[cfg(target_os = "linux")]
fn start_pythons(count: usize) -> Res<IdleCommands> {
    // `python3` may be a version manager's shell script (pyenv's) that
    // finds the interpreter and then runs it: ask once for the interpreter
    // itself, so each unit starts it directly.
    let asked = Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .output()?;
    if !asked.status.success() {
        return Err(format!("python3 failed: {}", asked.status).into());
    }
    let interpreter = String::from_utf8(asked.stdout)?.trim().to_owned();
    start_programs(count, || {
        let mut command = Command::new(&interpreter);
        let script = "import sys; print('ready', flush=True); sys.stdin.read()";
        command.args(["-c", script]);
        command
    })
}

/// Starts `count` programs that print a line, then idle until the end of
/// their stdin; returns once every one has printed its line.
#[cfg(target_os = "linux")]
fn start_programs(count: usize, command: impl Fn() -> Command) -> Res<IdleCommands> {
    let mut idle = IdleCommands(Vec::new());
    for _ in 0..count {
        let child = command()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        idle.0.push(child);
    }
    let deadline = Instant::now() + READY_TIMEOUT;
    for child in &mut idle.0 {
        let stdout = child.stdout.as_mut().ok_or("stdout was not piped")?;
        read_by(stdout, deadline, |got| got.contains(&b'\n'))?; // "ready"
    }
    Ok(idle)
}

/// Reads from `pipe` until `enough` says so, failing at its end or at
/// `deadline`: a unit that never gets ready must not hang the measurement.
#[cfg(target_os = "linux")]
fn read_by(
    pipe: &mut (impl Read + AsFd),
    deadline: Instant,
    enough: impl Fn(&[u8]) -> bool,
) -> Res<()> {
    let mut got = Vec::new();
    while !enough(&got) {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err("a unit did not get ready in time".into());
        }
        // poll counts whole milliseconds: round up, or the last one spins.
        let millis = left.as_micros().div_ceil(1000);
        let timeout = PollTimeout::try_from(millis).unwrap_or(PollTimeout::MAX);
        match poll(&mut [PollFd::new(pipe.as_fd(), PollFlags::POLLIN)], timeout) {
            Ok(0) | Err(Errno::EINTR) => continue, // the loop checks the deadline
            Ok(_) => {}
            Err(e) => return Err(e.into()),
        }
        let mut chunk = [0; 256];
        match pipe.read(&mut chunk) {
            Ok(0) => return Err("a unit ended before it was ready".into()),
            Ok(n) => got.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

#[cfg(target_os = "linux")]
impl Idle for IdleCommands {
    fn pids(&self) -> Vec<u32> {
        self.0.iter().map(Child::id).collect()
    }
    fn release(mut self) -> Res<()> {
        for child in &mut self.0 {
            drop(child.stdin.take()); // end of its stdin: it exits
            let status = child.wait()?;
            if !status.success() {
                return Err(format!("an idle child failed: {status}").into());
            }
        }
        Ok(())
    }
}

#[cfg(target_os = "linux")]
impl Drop for IdleCommands {
    fn drop(&mut self) {
        for child in &mut self.0 {
            // On an error path a unit may not be reading its stdin: kill it.
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Median times to start a unit and wait until it ends, in µs: a thread, a
/// fork, a Command, taken in turn so that a busy moment hits all three.
#[cfg(target_os = "linux")]
fn median_start_micros() -> Res<[u128; 3]> {
    let mut times: [Vec<Duration>; 3] = Default::default();
    for _ in 0..STARTS {
        // The thread is joined before the fork: the fork sees one thread.
        for (kind, start_and_wait) in [thread_and_join, fork_and_wait, command_and_wait]
            .into_iter()
            .enumerate()
        {
            let started = Instant::now();
            start_and_wait()?;
            times[kind].push(started.elapsed());
        }
    }
    Ok(times.map(|mut kind| {
        kind.sort();
        kind[kind.len() / 2].as_micros()
    }))
}

#[cfg(target_os = "linux")]
fn fork_and_wait() -> Res<()> {
    // SAFETY: called only while this program has a single thread.
    match unsafe { fork() }? {
        // SAFETY: as above, _exit is async-signal-safe.
        ForkResult::Child => unsafe { libc::_exit(0) },
        ForkResult::Parent { child } => match waitpid(child, None)? {
            WaitStatus::Exited(_, 0) => Ok(()),
            other => Err(format!("a child failed: {other:?}").into()),
        },
    }
}

#[cfg(target_os = "linux")]
fn command_and_wait() -> Res<()> {
    let status = Command::new(env::current_exe()?)
        .env(ROLE_VARIABLE, "exit")
        .status()?;
    match status.success() {
        true => Ok(()),
        false => Err(format!("a child failed: {status}").into()),
    }
}

#[cfg(target_os = "linux")]
fn thread_and_join() -> Res<()> {
    thread::spawn(|| {})
        .join()
        .map_err(|_| "a thread panicked".into())
}

#[cfg(target_os = "linux")]
fn main() -> Res<()> {
    match env::var(ROLE_VARIABLE).as_deref() {
        Ok("exit") => return Ok(()),
        Ok("idle") => {
            println!("ready");
            io::stdin().read_to_end(&mut Vec::new())?; // until the parent closes it
            return Ok(());
        }
        _ => {}
    }
    // Forked children first, while this program is small and has one
    // thread: what a fork costs depends on the parent it copies.
    let forks = per_unit(ROUNDS, 50, start_forks)?;
    let [thread_time, fork_time, command_time] = median_start_micros()?;
    let commands = per_unit(ROUNDS, 50, start_commands)?;
    let threads = per_unit(ROUNDS, 200, start_threads)?;
    // Python starts slowly: fewer rounds. Not every machine has Python.
    let pythons = per_unit(PYTHON_ROUNDS, 10, start_pythons);

    println!("start, then wait until it ends (median of {STARTS}):");
    println!("  thread: spawn + join                {thread_time:>6} µs");
    println!("  process: fork + waitpid             {fork_time:>6} µs");
    println!("  process: Command::spawn + wait      {command_time:>6} µs");
    println!("memory per idle unit, KiB (median of {ROUNDS} rounds; Python: {PYTHON_ROUNDS}):");
    println!("  unit (count)             PSS  page tables  kernel stack  total");
    for (name, f) in [
        ("thread (200)", threads),
        ("process, fork (50)", forks),
        ("process, Command (50)", commands),
    ] {
        let total = f.pss + f.page_tables + f.kernel_stacks;
        println!(
            "  {name:<21} {:>6.1} {:>12.1} {:>13.1} {total:>6.1}",
            f.pss, f.page_tables, f.kernel_stacks
        );
    }
    match pythons {
        Ok(f) => {
            let total = f.pss + f.page_tables + f.kernel_stacks;
            println!(
                "  {:<21} {:>6.1} {:>12.1} {:>13.1} {total:>6.1}",
                "python3, idle (10)", f.pss, f.page_tables, f.kernel_stacks
            );
        }
        Err(e) => println!("  python3, idle: not measured ({e})"),
    }
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn main() {
    println!("proc-cost runs on Linux only: it reads /proc/PID/smaps_rollup and /proc/meminfo");
}
