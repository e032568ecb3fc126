// The instrumented build (`--cfg tsan_child`) is only the race: the rest
// drives it, with crates that a bare rustc does not have. Each build uses
// only its half of this file.
#![allow(dead_code)]
#![cfg_attr(tsan_child, allow(unused_imports))]

use std::cell::UnsafeCell;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

#[cfg(not(tsan_child))]
use nix::{
    sys::signal::{Signal, killpg},
    unistd::Pid,
};

// ANCHOR: bug
/// A visit counter someone made `Sync` by hand, to share it without a lock.
/// The promise is false: two threads may write it at the same time.
struct VisitCounter(UnsafeCell<u64>);

// SAFETY: none. This is the bug ThreadSanitizer finds.
unsafe impl Sync for VisitCounter {}

impl VisitCounter {
    fn add_visit(&self) {
        unsafe { *self.0.get() += 1 }
    }
}

static VISITS: VisitCounter = VisitCounter(UnsafeCell::new(0));

fn count_visits() -> u64 {
    let workers: Vec<_> = (0..2)
        .map(|_| thread::spawn(|| (0..1000).for_each(|_| VISITS.add_visit())))
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    unsafe { *VISITS.0.get() }
}
// ANCHOR_END: bug

/// This program's own source: beside the crate, or in the book's checkout
/// when the program was compiled from the book's text.
fn own_source() -> Option<PathBuf> {
    const IN_THE_BOOK: &str = "listings/debugging/debug-tsan-race/src/main.rs";
    // First the checkout whose target directory holds this executable (a
    // path baked in at compile time may name a copy that is gone), then the
    // crate's directory as cargo knew it when it compiled this program.
    let exe = std::env::current_exe().ok()?;
    let beside_exe = exe.ancestors().map(|dir| dir.join(IN_THE_BOOK));
    let manifest_dir = option_env!("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let from_manifest = manifest_dir
        .into_iter()
        .flat_map(|dir| [dir.join("src/main.rs"), dir.join(IN_THE_BOOK)]);
    beside_exe.chain(from_manifest).find(|path| path.is_file())
}

#[cfg(not(tsan_child))]
/// Builds `source` with ThreadSanitizer into `dir`, runs it, and returns what
/// it printed: stdout, and stderr (where the sanitizer writes its reports).
fn run_under_tsan(source: &Path, dir: &Path) -> Result<(String, String), String> {
    let binary = dir.join("visits-tsan");
    let build = Command::new("rustc")
        .args([
            "+nightly",
            "-Zsanitizer=thread",
            "-Cunsafe-allow-abi-mismatch=sanitizer",
            "--cfg=tsan_child",
        ])
        .args(["--edition", "2024", "--crate-name", "visits", "-g", "-o"])
        .args([&binary, source])
        .output()
        .map_err(|error| format!("cannot run rustc (from rustup): {error}"))?;
    if !build.status.success() {
        let why = String::from_utf8_lossy(&build.stderr);
        let first = why.lines().next().unwrap_or("");
        if first.contains("is not installed") {
            return Err("needs a nightly toolchain: rustup toolchain install nightly".into());
        }
        return Err(format!("rustc +nightly -Zsanitizer=thread failed: {first}"));
    }
    // Its own process group: the sanitizer starts a symbolizer process
    // (llvm-symbolizer or addr2line), which ends a moment after it does,
    // and the group lets this program wait for both, and kill both.
    let run = Command::new(&binary)
        .process_group(0)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| format!("cannot run the instrumented build: {error}"))?;
    let group = KilledGroup(Pid::from_raw(run.id() as i32));
    let run = run.wait_with_output().map_err(|error| error.to_string())?;
    group.wait_to_end(Duration::from_secs(2))?;
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    Ok((text(&run.stdout), text(&run.stderr)))
}

/// A process group that is killed (SIGKILL) however this program leaves the
/// function that started it, unless it ended by itself.
#[cfg(not(tsan_child))]
struct KilledGroup(Pid);

#[cfg(not(tsan_child))]
impl KilledGroup {
    /// Waits until no process is left in the group; after `limit`, kills it
    /// and says so.
    fn wait_to_end(&self, limit: Duration) -> Result<(), String> {
        let started = Instant::now();
        // Signal "none" only asks whether any process of the group exists.
        while killpg(self.0, None).is_ok() {
            if started.elapsed() > limit {
                return Err(format!(
                    "the sanitizer's processes did not end within {limit:?}: killed"
                ));
            }
            thread::sleep(Duration::from_millis(5));
        }
        Ok(())
    }
}

#[cfg(not(tsan_child))]
impl Drop for KilledGroup {
    fn drop(&mut self) {
        let _ = killpg(self.0, Signal::SIGKILL); // ESRCH once it has ended
    }
}

/// The parts of the first ThreadSanitizer warning that do not change between
/// runs: the warning, each access with the function that made it. How many
/// warnings follow it varies from run to run, so only they are counted.
fn summarise(report: &str) -> (Vec<String>, usize) {
    let mut summary = Vec::new();
    let mut warnings = 0;
    let mut lines = report.lines().map(str::trim);
    while let Some(line) = lines.next() {
        if line.starts_with("WARNING: ThreadSanitizer:") {
            warnings += 1;
            if warnings > 1 {
                continue;
            }
            let warning = line.split(" (pid=").next().unwrap_or(line);
            summary.push(warning.to_string());
        } else if warnings == 1 && line.contains(" of size ") && line.contains(" by thread ") {
            // "Write of size 8 at 0x55d5... by thread T2:" without the address
            let (access, rest) = line.split_once(" at ").unwrap_or((line, ""));
            let thread = rest
                .split(" by ")
                .nth(1)
                .unwrap_or("")
                .trim_end_matches(':');
            // "#0 debug_tsan_race::VisitCounter::add_visit /path/main.rs:17:18 (...)"
            let frame = lines.next().unwrap_or("");
            let function = frame.split_whitespace().nth(1).unwrap_or("?");
            summary.push(format!("  {access} by {thread}, in {function}"));
        }
    }
    (summary, warnings)
}

#[cfg(tsan_child)]
fn main() {
    println!("{} visits counted", count_visits());
}

#[cfg(not(tsan_child))]
fn main() {
    let Some(source) = own_source() else {
        eprintln!("cannot find this program's source to rebuild it");
        std::process::exit(1);
    };
    let dir = std::env::temp_dir().join(format!("debug-tsan-race-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("cannot create a temporary directory");
    let started = Instant::now();
    let result = run_under_tsan(&source, &dir);
    let took = started.elapsed();
    std::fs::remove_dir_all(&dir).expect("cannot remove the temporary directory");
    let (counted, report) = result.unwrap_or_else(|error| {
        eprintln!("ThreadSanitizer not run: {error}");
        std::process::exit(1);
    });
    let (summary, warnings) = summarise(&report);
    if summary.is_empty() {
        eprintln!("ThreadSanitizer reported nothing: the race went unseen");
        std::process::exit(1);
    }
    println!(
        "built with ThreadSanitizer and run in {:.1} s",
        took.as_secs_f64()
    );
    print!("instrumented run: {counted}");
    for line in summary {
        println!("{line}");
    }
    println!("warnings in the whole report: {warnings}");
}
