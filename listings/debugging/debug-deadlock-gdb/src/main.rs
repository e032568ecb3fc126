//! Linux only: it runs gdb, asks the kernel with prctl(2) to let gdb attach,
//! and looks for the frames of std's Linux (futex) `Mutex`.
#![cfg_attr(not(target_os = "linux"), allow(dead_code))]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Barrier, Mutex};
use std::thread;

/// Set in the child's environment to the parent's process id: run the
/// deadlock instead of diagnosing it.
const CHILD_ROLE: &str = "DEBUG_DEADLOCK_GDB_PARENT";

// ANCHOR: deadlock
/// The transfer of the Threads chapter, with `lock()` this time: two of
/// them in opposite directions each hold one account and wait for the other.
fn transfer(from: &Mutex<i64>, to: &Mutex<i64>, cents: i64, both_locked: &Barrier) {
    let mut from_balance = from.lock().unwrap();
    both_locked.wait(); // make the fatal interleaving certain
    let mut to_balance = to.lock().unwrap(); // waits forever
    *from_balance -= cents;
    *to_balance += cents;
}

fn run_deadlock() {
    let (alice, bob) = (Mutex::new(10_000), Mutex::new(10_000));
    let both_locked = Barrier::new(3);
    thread::scope(|scope| {
        let teller = |name: &str| thread::Builder::new().name(name.to_string());
        teller("teller-a")
            .spawn_scoped(scope, || transfer(&alice, &bob, 500, &both_locked))
            .unwrap();
        teller("teller-b")
            .spawn_scoped(scope, || transfer(&bob, &alice, 300, &both_locked))
            .unwrap();
        both_locked.wait();
        println!("both tellers hold their first account");
    }); // never returns: the scope joins two threads that never end
}
// ANCHOR_END: deadlock

/// Every thread's stack, as `gdb -p PID -batch -ex "thread apply all bt"`
/// prints it. gdb attaches with ptrace(2): allowed here because the child
/// named this process as its tracer (see `let_parent_trace_me`), and gdb is
/// this process's child.
fn thread_dump(pid: u32) -> Result<String, String> {
    let output = Command::new("gdb")
        .args([
            "-p",
            &pid.to_string(),
            "-batch",
            "-ex",
            "thread apply all bt",
        ])
        .stdin(Stdio::null())
        .output()
        .map_err(|error| format!("cannot run gdb ({error}): install it, e.g. apt install gdb"))?;
    let dump = String::from_utf8_lossy(&output.stdout).into_owned();
    if !dump.contains("\nThread ") {
        let why = String::from_utf8_lossy(&output.stderr);
        let first = why
            .lines()
            .find(|l| l.contains("ptrace"))
            .unwrap_or("no dump");
        return Err(format!(
            "gdb could not attach ({}); {}",
            first.trim(),
            ptrace_scope()
        ));
    }
    Ok(dump)
}

/// What Yama's setting allows, to explain a refused attach in one line.
#[cfg(target_os = "linux")]
fn ptrace_scope() -> String {
    match std::fs::read_to_string("/proc/sys/kernel/yama/ptrace_scope") {
        Ok(scope) => match scope.trim() {
            "0" => "Yama's ptrace_scope is 0: any process of the same user".into(),
            "1" => "Yama's ptrace_scope is 1: descendants and declared tracers only".into(),
            "2" => "Yama's ptrace_scope is 2: only with CAP_SYS_PTRACE (sudo)".into(),
            other => format!("Yama's ptrace_scope is {other}: attaching is disabled"),
        },
        Err(_) => "no Yama module: same user, or CAP_SYS_PTRACE".into(),
    }
}

#[cfg(not(target_os = "linux"))]
fn ptrace_scope() -> String {
    String::new()
}

/// In the child, before it deadlocks. Under Yama's `ptrace_scope` 1 (Ubuntu's
/// default) a process may be traced only by its ancestors, and gdb is the
/// parent's child, not the child's ancestor: PR_SET_PTRACER names the parent
/// as a tracer, whose descendants (gdb) may then attach. PR_SET_PDEATHSIG
/// makes the kernel kill the child if the parent dies first, so that no
/// deadlocked process is left behind.
#[cfg(target_os = "linux")]
fn let_parent_trace_me(parent: nix::unistd::Pid) {
    use nix::sys::{prctl, signal::Signal};
    prctl::set_pdeathsig(Signal::SIGKILL).expect("prctl(PR_SET_PDEATHSIG)");
    if nix::unistd::getppid() != parent {
        std::process::exit(1); // the parent died before the line above
    }
    // SAFETY: prctl with two integer arguments; it reads no memory of ours.
    // Without Yama it fails with EINVAL, and nothing needs permitting.
    unsafe {
        libc::prctl(
            libc::PR_SET_PTRACER,
            parent.as_raw() as libc::c_ulong,
            0,
            0,
            0,
        )
    };
}

/// One thread of a dump: its name and the functions on its stack, innermost
/// first, without addresses or arguments (they change from run to run).
struct ThreadStack {
    name: String,
    functions: Vec<String>,
    /// The `from` and `to` arguments of `transfer`: the addresses of the two
    /// mutexes (gdb shows arguments only when there is debug info).
    transfer_args: Option<(String, String)>,
    /// gdb's own lines for this thread: its header, then one per frame.
    raw: Vec<String>,
}

fn parse_dump(dump: &str) -> Vec<ThreadStack> {
    let mut threads: Vec<ThreadStack> = Vec::new();
    for line in dump.lines() {
        if line.starts_with("Thread ") {
            // Thread 2 (Thread 0x7f... (LWP 123) "teller-a"):
            let name = line.split('"').nth(1).unwrap_or("?").to_string();
            threads.push(ThreadStack {
                name,
                functions: Vec::new(),
                transfer_args: None,
                raw: vec![line.to_string()],
            });
        } else if let (Some(thread), Some(rest)) = (threads.last_mut(), line.strip_prefix('#')) {
            // #3  0x000055... in debug_deadlock_gdb::transfer (from=..., ...) at src/main.rs:14
            let after_in = rest.split_once(" in ").map_or(rest, |(_, after)| after);
            let start = after_in.trim_start_matches(|c: char| c.is_ascii_digit() || c == ' ');
            let function = without_hash(start.split(" (").next().unwrap_or(start));
            if function.ends_with("::transfer") {
                thread.transfer_args = argument(start, "from=").zip(argument(start, "to="));
            }
            thread.functions.push(function.to_string());
            thread.raw.push(line.to_string());
        }
    }
    threads
}

/// The value of one argument in a frame: `from=0x7ffd...,` gives `0x7ffd...`.
fn argument(frame: &str, name: &str) -> Option<String> {
    let after = frame
        .split(&format!(" {name}"))
        .nth(1)
        .or_else(|| frame.split(&format!("({name}")).nth(1))?;
    Some(after.split([',', ')']).next()?.to_string())
}

/// Without debug info, gdb shows a symbol's hash: `transfer::h9fa3313a34370d69`.
fn without_hash(function: &str) -> &str {
    match function.rsplit_once("::h") {
        Some((name, hash)) if hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()) => {
            name
        }
        _ => function,
    }
}

/// A teller is stuck if its stack shows std's slow path of `Mutex::lock`
/// (the thread is asleep on the lock) called from `transfer`.
fn is_stuck_in_transfer(thread: &ThreadStack) -> bool {
    let waits = thread
        .functions
        .iter()
        .any(|f| f.ends_with("lock_contended"));
    let in_transfer = thread.functions.iter().any(|f| f.ends_with("::transfer"));
    waits && in_transfer
}

/// gdb's lines for one thread as it printed them, from its header down to
/// the frame of `transfer`: what a reader sees at the terminal.
fn print_raw(thread: &ThreadStack) {
    println!("gdb's own lines for {}, down to transfer:", thread.name);
    for line in &thread.raw {
        println!("{line}");
        if line.contains("::transfer") {
            break;
        }
    }
}

fn print_stack(thread: &ThreadStack) {
    println!("thread \"{}\":", thread.name);
    // Innermost first, down to the listing's own function.
    for function in &thread.functions {
        println!("    {function}");
        if function.ends_with("::transfer") {
            break;
        }
    }
}

/// Each teller locked `from` before the barrier and now waits for `to`: if
/// each one's `to` is the other's `from`, they wait for each other.
fn report_cycle(stuck: &[ThreadStack]) {
    let [a, b] = stuck else { return };
    let (Some((a_from, a_to)), Some((b_from, b_to))) = (&a.transfer_args, &b.transfer_args) else {
        println!("(no debug info, so gdb shows no arguments: the cycle is not checked)");
        return;
    };
    if a_to == b_from && b_to == a_from {
        println!(
            "lock cycle: {} holds the mutex {} waits for, and the other way round",
            a.name, b.name
        );
    } else {
        eprintln!("the tellers wait for locks that do not form a cycle");
        std::process::exit(1);
    }
}

/// The deadlocked child, killed and reaped however the parent leaves.
struct DeadlockedChild(Child);

impl Drop for DeadlockedChild {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_child() -> Result<DeadlockedChild, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let child = Command::new(exe)
        .env(CHILD_ROLE, std::process::id().to_string())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start the child: {e}"))?;
    let mut child = DeadlockedChild(child); // from here on, dropped = killed
    let mut ready = String::new();
    let stdout = child.0.stdout.take().expect("piped");
    BufReader::new(stdout)
        .read_line(&mut ready)
        .map_err(|e| format!("cannot read from the child: {e}"))?;
    if ready.is_empty() {
        return Err("the child ended before the deadlock".to_string());
    }
    print!("child {}: {ready}", child.0.id());
    Ok(child)
}

/// Dumps the child until both tellers are seen asleep in `lock` (right after
/// the barrier they may still be on their way there), at most five times.
fn diagnose(pid: u32) -> Result<Vec<ThreadStack>, String> {
    for _attempt in 0..5 {
        let threads = parse_dump(&thread_dump(pid)?);
        let total = threads.len();
        let mut names: Vec<String> = threads.iter().map(|t| format!("\"{}\"", t.name)).collect();
        names.sort();
        let main_thread = threads.iter().find(|t| {
            !t.name.starts_with("teller") && t.functions.iter().any(|f| f.contains("thread::scope"))
        });
        let main_name = main_thread.map(|t| t.name.clone());
        let mut stuck: Vec<ThreadStack> =
            threads.into_iter().filter(is_stuck_in_transfer).collect();
        stuck.sort_by(|a, b| a.name.cmp(&b.name));
        if stuck.len() == 2 {
            println!("gdb: {total} threads in the dump: {}", names.join(", "));
            if let Some(name) = &main_name {
                println!("thread \"{name}\" (the main thread) waits in thread::scope");
            }
            return Ok(stuck);
        }
    }
    Err("gdb never showed both tellers waiting in lock()".to_string())
}

#[cfg(target_os = "linux")]
fn main() {
    if let Some(parent) = std::env::var_os(CHILD_ROLE) {
        let parent: i32 = parent.to_str().and_then(|p| p.parse().ok()).unwrap_or(0);
        let_parent_trace_me(nix::unistd::Pid::from_raw(parent));
        run_deadlock();
        return;
    }
    let result = start_child().and_then(|child| {
        let stuck = diagnose(child.0.id());
        drop(child); // the child would wait forever: kill it, and reap it
        stuck
    });
    let stuck = result.unwrap_or_else(|error| {
        eprintln!("{error}");
        std::process::exit(1);
    });
    print_raw(&stuck[0]);
    println!("the same two stacks, the function names only:");
    for thread in &stuck {
        print_stack(thread);
    }
    println!("deadlock: teller-a and teller-b both wait in Mutex::lock inside transfer");
    report_cycle(&stuck);
}

#[cfg(not(target_os = "linux"))]
fn main() {
    println!("debug-deadlock-gdb runs on Linux only: it uses gdb, prctl(2) and std's futex Mutex");
}
