//! Linux only: it reads /proc, runs strace, gcore and gdb, and asks the
//! kernel with prctl(2) to let them attach.
#![cfg_attr(not(target_os = "linux"), allow(dead_code))]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Barrier, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

/// Set in the child's environment to the parent's process id: run the
/// deadlock instead of diagnosing it.
const CHILD_ROLE: &str = "DEBUG_HANG_KIT_PARENT";

/// The deadlock of `debug-deadlock-gdb`: two transfers in opposite
/// directions, each holding one account and waiting for the other.
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

/// One thread of a process, as /proc/PID/task/TID/ describes it.
struct Task {
    tid: String,
    name: String,  // comm: the name the kernel keeps, cut to 15 bytes
    state: String, // the third field of stat: R running, S asleep, D in I/O
    wchan: String, // the kernel function the thread sleeps in
}

fn tasks(pid: u32) -> std::io::Result<Vec<Task>> {
    let mut tasks = Vec::new();
    for entry in std::fs::read_dir(format!("/proc/{pid}/task"))? {
        let dir = entry?.path();
        let read = |file: &str| std::fs::read_to_string(dir.join(file));
        let stat = read("stat")?;
        // stat is "TID (NAME) STATE ...": the name may hold spaces and ')'.
        let after_name = stat.rsplit_once(") ").map_or("?", |(_, rest)| rest);
        tasks.push(Task {
            tid: dir.file_name().unwrap().to_string_lossy().into_owned(),
            name: read("comm")?.trim().to_string(),
            state: after_name.split(' ').next().unwrap_or("?").to_string(),
            wchan: read("wchan")?,
        });
    }
    tasks.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(tasks)
}

/// The system call each thread is blocked in, from `strace -f -p PID`:
/// strace prints it on attaching; a SIGINT then makes it detach and leave
/// the process as it was.
fn strace_blocked_calls(pid: u32, tids: &[&str]) -> Result<Vec<String>, String> {
    let mut strace = Command::new("strace")
        .args(["-f", "-p", &pid.to_string()])
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run strace ({e}): apt install strace"))?;
    // strace ends the line of a blocked call only when something else
    // happens, so read what arrives, not whole lines.
    let mut stderr = strace.stderr.take().expect("piped");
    let (sender, arrived) = mpsc::channel();
    let reader = thread::spawn(move || {
        let mut chunk = [0; 4096];
        loop {
            match stderr.read(&mut chunk) {
                Ok(0) => break, // strace has ended
                Ok(n) => {
                    let _ = sender.send(String::from_utf8_lossy(&chunk[..n]).into_owned());
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
        }
    });
    let mut text = String::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !tids.iter().all(|tid| after_pid(&text, tid).is_some()) {
        match arrived.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(more) => text.push_str(&more),
            Err(_) => break, // strace ended, or said nothing for 10 s
        }
    }
    let strace_pid = nix::unistd::Pid::from_raw(strace.id() as i32);
    let _ = nix::sys::signal::kill(strace_pid, nix::sys::signal::Signal::SIGINT);
    let _ = strace.wait();
    let _ = reader.join();
    text.extend(arrived.try_iter());
    let calls = blocked_calls(&text, tids);
    if calls.len() < tids.len() {
        let said = text.lines().next().unwrap_or("nothing");
        return Err(format!(
            "strace did not show the blocked calls; it said: {said}"
        ));
    }
    Ok(calls)
}

/// A core file of the running process (`gcore`, which comes with gdb), then
/// gdb's backtraces read from the file, after the process has gone on.
fn backtraces_from_core(pid: u32, dir: &Path) -> Result<String, String> {
    let prefix = dir.join("core");
    let gcore = Command::new("gcore")
        .arg("-o")
        .arg(&prefix)
        .arg(pid.to_string())
        .output()
        .map_err(|e| format!("cannot run gcore ({e}): apt install gdb"))?;
    let core = PathBuf::from(format!("{}.{pid}", prefix.display()));
    if !core.exists() {
        return Err(format!(
            "gcore wrote no core: {}",
            String::from_utf8_lossy(&gcore.stderr)
        ));
    }
    let program = std::env::current_exe().map_err(|e| e.to_string())?;
    let gdb = Command::new("gdb")
        .args(["-batch", "-ex", "thread apply all bt"])
        .arg(&program)
        .arg(&core)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run gdb ({e}): apt install gdb"))?;
    println!("gcore: wrote core.{pid}, and the process went on");
    Ok(String::from_utf8_lossy(&gdb.stdout).into_owned())
}

/// What follows the first `[pid TID] ` in strace's output. strace pads
/// the number to five columns (`[pid  7005]`), so skip the spaces.
fn after_pid<'a>(text: &'a str, tid: &str) -> Option<&'a str> {
    text.match_indices("[pid ").find_map(|(at, marker)| {
        let rest = text[at + marker.len()..].trim_start_matches(' ');
        rest.strip_prefix(tid)?.strip_prefix("] ")
    })
}

/// Each thread's first call in strace's output, as `TID: call`. A line may
/// run into strace's own message when it detaches: cut that off.
fn blocked_calls(text: &str, tids: &[&str]) -> Vec<String> {
    let mut calls = Vec::new();
    for tid in tids {
        let Some(rest) = after_pid(text, tid) else {
            continue;
        };
        let line = rest.lines().next().unwrap_or("");
        let call = line.split("strace: ").next().unwrap_or(line);
        calls.push(format!(
            "{tid}: {}",
            call.trim_end_matches(" <unfinished ...>").trim_end()
        ));
    }
    calls.sort();
    calls
}

/// In the child, before it deadlocks: let the parent's descendants (strace,
/// gcore, gdb) attach under Yama's ptrace_scope 1, and die with the parent.
#[cfg(target_os = "linux")]
fn let_parent_trace_me(parent: nix::unistd::Pid) {
    use nix::sys::{prctl, signal::Signal};
    prctl::set_pdeathsig(Signal::SIGKILL).expect("prctl(PR_SET_PDEATHSIG)");
    if nix::unistd::getppid() != parent {
        std::process::exit(1); // the parent died before the line above
    }
    // SAFETY: prctl with integer arguments; it reads no memory of ours.
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

/// The deadlocked child, killed and reaped however the parent leaves.
struct DeadlockedChild(Child);

impl Drop for DeadlockedChild {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A directory of our own for the core file, removed however we leave.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn start_child() -> Result<DeadlockedChild, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this program: {e}"))?;
    let child = Command::new(exe)
        .env(CHILD_ROLE, std::process::id().to_string())
        // One malloc arena: glibc would reserve one per thread, and gcore
        // writes reserved address space too (about 130 MiB instead of 4).
        .env("MALLOC_ARENA_MAX", "1")
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

/// The tellers' tasks once both sleep on a futex (right after the barrier
/// they may still be on their way into `lock`): at most 50 looks, 10 ms apart.
fn tellers_asleep(pid: u32) -> Result<Vec<Task>, String> {
    for _ in 0..50 {
        let all = tasks(pid).map_err(|e| format!("cannot read /proc/{pid}/task: {e}"))?;
        let asleep = |t: &Task| t.state == "S" && t.wchan.contains("futex");
        let tellers: Vec<Task> = all
            .into_iter()
            .filter(|t| t.name.starts_with("teller"))
            .collect();
        if tellers.len() == 2 && tellers.iter().all(asleep) {
            return Ok(tellers);
        }
        thread::sleep(Duration::from_millis(10));
    }
    Err("the tellers never showed as asleep on a futex in /proc".to_string())
}

/// gdb's dump of a core has no thread names: it names each thread by its
/// LWP, the thread id that /proc gave. A teller is stuck when its stack has
/// std's slow path of `Mutex::lock` called from `transfer`.
fn stuck_in_core(dump: &str, names: &BTreeMap<String, String>) -> Vec<String> {
    let mut stuck: Vec<String> = dump
        .split("\nThread ")
        .filter(|stack| stack.contains("lock_contended") && stack.contains("::transfer"))
        .filter_map(|stack| stack.split("(LWP ").nth(1)?.split(')').next())
        .map(|lwp| names.get(lwp).cloned().unwrap_or(format!("LWP {lwp}")))
        .collect();
    stuck.sort();
    stuck
}

#[cfg(target_os = "linux")]
fn diagnose(pid: u32) -> Result<(), String> {
    // ANCHOR: main
    let tellers = tellers_asleep(pid)?;
    for t in &tellers {
        println!(
            "/proc: {} (tid {}): state {}, wchan {}",
            t.name, t.tid, t.state, t.wchan
        );
    }
    let tids: Vec<&str> = tellers.iter().map(|t| t.tid.as_str()).collect();
    let calls = strace_blocked_calls(pid, &tids)?;
    for call in &calls {
        println!("strace: {call}");
    }
    let dir = TempDir(std::env::temp_dir().join(format!("debug-hang-kit-{}", std::process::id())));
    std::fs::create_dir_all(&dir.0).map_err(|e| e.to_string())?;
    let dump = backtraces_from_core(pid, &dir.0)?;
    // ANCHOR_END: main
    if calls.len() != 2 || !calls.iter().all(|call| call.contains("FUTEX_WAIT")) {
        return Err(format!(
            "strace did not show both tellers in a futex wait: {calls:?}"
        ));
    }
    let names: BTreeMap<String, String> = tellers
        .iter()
        .map(|t| (t.tid.clone(), t.name.clone()))
        .collect();
    let stuck = stuck_in_core(&dump, &names);
    if stuck != ["teller-a", "teller-b"] {
        return Err(format!("gdb on the core found {stuck:?} waiting in lock()"));
    }
    println!("gdb on the core: teller-a and teller-b wait in lock_contended, called from transfer");
    Ok(())
}

#[cfg(target_os = "linux")]
fn main() {
    if let Some(parent) = std::env::var_os(CHILD_ROLE) {
        let parent: i32 = parent.to_str().and_then(|p| p.parse().ok()).unwrap_or(0);
        let_parent_trace_me(nix::unistd::Pid::from_raw(parent));
        run_deadlock();
        return;
    }
    let result = start_child().and_then(|child| diagnose(child.0.id()));
    if let Err(error) = result {
        eprintln!("{error}");
        std::process::exit(1);
    }
}

#[cfg(not(target_os = "linux"))]
fn main() {
    println!("debug-hang-kit runs on Linux only: it reads /proc and runs strace, gcore and gdb");
}

#[cfg(test)]
mod tests {
    use super::*;

    /// strace pads a thread id shorter than five digits: both forms are found.
    #[test]
    fn finds_padded_and_unpadded_thread_ids() {
        let text = "strace: Process 7001 attached with 3 threads\n\
            [pid  7005] futex(0x7ffd1e1504e8, FUTEX_WAIT_BITSET_PRIVATE, 2 <unfinished ...>\n\
            [pid 13606] futex(0x7ffdaa9fbec8, FUTEX_WAIT_BITSET_PRIVATE, 2strace: Process 13606 detached\n";
        assert_eq!(
            blocked_calls(text, &["7005", "13606", "700"]),
            [
                "13606: futex(0x7ffdaa9fbec8, FUTEX_WAIT_BITSET_PRIVATE, 2",
                "7005: futex(0x7ffd1e1504e8, FUTEX_WAIT_BITSET_PRIVATE, 2",
            ]
        );
    }
}
