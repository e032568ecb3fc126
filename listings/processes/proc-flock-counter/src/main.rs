use std::env;
use std::error::Error;
use std::fs::{self, File};
use std::path::Path;
use std::process::Command;

use nix::fcntl::{Flock, FlockArg};
use nix::unistd::mkdtemp;

// ANCHOR: worker
/// Holds the shared directory's path in the environment of each worker.
const DIR_VARIABLE: &str = "FLOCK_COUNTER_DIR";
const WORKERS: u32 = 2;
const ROUNDS: u32 = 200;

/// A worker: add one to the number in the file `counter`, `ROUNDS` times,
/// each time holding the lock on the file `lock`.
fn worker(dir: &Path) -> Result<(), Box<dyn Error>> {
    let counter = dir.join("counter");
    for _ in 0..ROUNDS {
        // Waits while another process holds the lock.
        let lock = File::open(dir.join("lock"))?;
        let _held = Flock::lock(lock, FlockArg::LockExclusive).map_err(|(_, e)| e)?;
        let n: u32 = fs::read_to_string(&counter)?.parse()?;
        fs::write(&counter, (n + 1).to_string())?;
        // `_held` is dropped here, which releases the lock.
    }
    Ok(())
}
// ANCHOR_END: worker

/// Starts `WORKERS` copies of this program on `dir` and waits for all of
/// them, even after a failure; then reports the first failure.
fn run_workers(dir: &Path) -> Result<(), Box<dyn Error>> {
    let this_program = env::current_exe()?;
    let mut workers = Vec::new();
    let mut spawn_error = None;
    for _ in 0..WORKERS {
        match Command::new(&this_program).env(DIR_VARIABLE, dir).spawn() {
            Ok(worker) => workers.push(worker),
            Err(e) => {
                spawn_error = Some(e);
                break;
            }
        }
    }
    let statuses: Vec<_> = workers.iter_mut().map(|worker| worker.wait()).collect();
    if let Some(e) = spawn_error {
        return Err(e.into());
    }
    for status in statuses {
        let status = status?;
        if !status.success() {
            return Err(format!("a worker failed: {status}").into());
        }
    }
    Ok(())
}

// ANCHOR: main
/// Makes the lock file and the counter file in `dir`, then runs the
/// workers on them.
fn count_in(dir: &Path) -> Result<(), Box<dyn Error>> {
    File::create(dir.join("lock"))?;
    fs::write(dir.join("counter"), "0")?;
    run_workers(dir) // out of view: starts the workers and reaps them all
}

fn main() -> Result<(), Box<dyn Error>> {
    if let Some(dir) = env::var_os(DIR_VARIABLE) {
        return worker(Path::new(&dir));
    }
    // A new directory with a random name, which only we can enter.
    let dir = mkdtemp(&env::temp_dir().join("proc-flock-counter-XXXXXX"))?;
    let ran = count_in(&dir);
    let total = fs::read_to_string(dir.join("counter"));
    // Removed before `ran?` and `total?`, so their errors leave nothing.
    fs::remove_dir_all(&dir)?;
    ran?;
    println!(
        "{WORKERS} workers added one {ROUNDS} times each; the file holds {}",
        total?
    );
    Ok(())
}
// ANCHOR_END: main
