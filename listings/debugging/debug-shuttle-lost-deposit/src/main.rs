use shuttle::scheduler::RandomScheduler;
use shuttle::sync::{Arc, Mutex};
use shuttle::{Config, FailurePersistence, Runner, thread};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

// ANCHOR: bug
/// Reads the balance under the lock, then writes it under the lock again:
/// each step is safe, but another deposit can run between the two.
fn deposit(balance: &Mutex<u64>, cents: u64) {
    let current = *balance.lock().unwrap(); // the guard is dropped here
    *balance.lock().unwrap() = current + cents;
}

/// The test shuttle runs: two deposits at once must both count.
fn two_deposits() {
    let balance = Arc::new(Mutex::new(0));
    let deposits: Vec<_> = [500, 300]
        .into_iter()
        .map(|cents| {
            let balance = balance.clone();
            thread::spawn(move || deposit(&balance, cents))
        })
        .collect();
    for deposit in deposits {
        deposit.join().unwrap();
    }
    let total = *balance.lock().unwrap();
    assert_eq!(total, 800, "a deposit was lost: the balance is {total}");
}
// ANCHOR_END: bug

static RUNS: AtomicUsize = AtomicUsize::new(0);

/// Runs `two_deposits` under up to 1,000 random schedules; a failing
/// schedule is saved to a file in `dir`. True if one failed.
fn search(dir: &Path) -> bool {
    // ANCHOR: main
    let result = std::panic::catch_unwind(|| {
        // A failing schedule goes to a file in `dir`, to be replayed.
        let mut config = Config::new();
        config.failure_persistence = FailurePersistence::File(Some(dir.to_path_buf()));
        let runner = Runner::new(RandomScheduler::new(1000), config);
        runner.run(|| {
            RUNS.fetch_add(1, Ordering::Relaxed);
            two_deposits()
        })
    });
    // ANCHOR_END: main
    result.is_err()
}

// ANCHOR: replay
/// Runs the saved schedule again: the same interleaving, so the same loss.
fn replay(schedule: &Path) -> bool {
    // The assertion's message was shown once already: not again.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let replayed = std::panic::catch_unwind(|| shuttle::replay_from_file(two_deposits, schedule));
    std::panic::set_hook(default_hook);
    replayed.is_err()
}
// ANCHOR_END: replay

fn main() {
    let dir = std::env::temp_dir().join(format!("debug-shuttle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("cannot create a temporary directory");
    let found = search(&dir);
    let runs = RUNS.load(Ordering::Relaxed);
    let schedule = dir.join("schedule000.txt");
    let replayed = found && schedule.is_file() && replay(&schedule);
    std::fs::remove_dir_all(&dir).expect("cannot remove the temporary directory");
    if !found {
        println!("shuttle tried {runs} random schedules and found no lost deposit");
        std::process::exit(1);
    }
    println!("shuttle found a schedule that loses a deposit, on run {runs}");
    if !replayed {
        eprintln!("replaying the saved schedule did not lose the deposit again");
        std::process::exit(1);
    }
    println!("replaying the saved schedule lost the deposit again");
}
