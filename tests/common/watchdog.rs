//! A time limit for processes this test binary starts but does not wait on
//! itself (skeptic runs each snippet with `Command::output`, and has no
//! limit of its own).

use std::collections::HashMap;
use std::fs;
use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use super::run::TIME_LIMIT;

static STARTED: Once = Once::new();

/// How many processes the watchdog has killed so far.
pub static KILLS: AtomicUsize = AtomicUsize::new(0);

/// What the watchdog killed, one line each, for the failure messages.
pub static KILLED: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// Starts (once) a thread that, every 100 ms, looks at this process's
/// children. A child that is not the compiler (or this binary standing in
/// for it) and has been running longer
/// than [`TIME_LIMIT`] is killed together with its descendants. Its test then
/// fails ("Command failed"), and this prints which program it was.
pub fn start_for_children() {
    STARTED.call_once(|| {
        std::thread::spawn(watch);
    });
}

fn watch() {
    let me = std::process::id();
    // This binary, started by skeptic as its compiler (skeptic_rustc.rs).
    let compiler_stand_in = std::env::current_exe()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut first_seen: HashMap<u32, Instant> = HashMap::new();
    loop {
        std::thread::sleep(Duration::from_millis(100));
        let table = process_table();
        first_seen.retain(|pid, _| table.contains_key(pid));
        for (&pid, (parent, exe)) in &table {
            let compiling = exe.ends_with("/rustc") || *exe == compiler_stand_in;
            if *parent != me || compiling || exe.ends_with("/cargo") {
                continue;
            }
            let since = *first_seen.entry(pid).or_insert_with(Instant::now);
            if since.elapsed() > TIME_LIMIT {
                let line = format!(
                    "watchdog: {exe} (pid {pid}) ran longer than {} s: killing it and its children",
                    TIME_LIMIT.as_secs()
                );
                super::console::tell(&line);
                KILLED.lock().unwrap().push(line);
                KILLS.fetch_add(1, Ordering::SeqCst);
                for victim in descendants(&table, pid).into_iter().chain([pid]) {
                    let _ = kill(Pid::from_raw(victim as i32), Signal::SIGKILL);
                }
            }
        }
    }
}

/// pid -> (parent pid, executable), from /proc.
fn process_table() -> HashMap<u32, (u32, String)> {
    let mut table = HashMap::new();
    for entry in fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // The command name (field 2) may hold spaces: the parent is the
        // second field after its closing parenthesis.
        let Some(after_name) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
            continue;
        };
        let Some(parent) = after_name
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse().ok())
        else {
            continue;
        };
        let exe = fs::read_link(entry.path().join("exe"))
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        table.insert(pid, (parent, exe));
    }
    table
}

fn descendants(table: &HashMap<u32, (u32, String)>, ancestor: u32) -> Vec<u32> {
    let mut found = Vec::new();
    let mut frontier = vec![ancestor];
    while let Some(parent) = frontier.pop() {
        for (&pid, (p, _)) in table {
            if *p == parent {
                found.push(pid);
                frontier.push(pid);
            }
        }
    }
    found
}
