use shuttle::sync::{Arc, Mutex};
use shuttle::thread;
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

fn main() {
    // ANCHOR: main
    let result = std::panic::catch_unwind(|| {
        shuttle::check_random(
            || {
                RUNS.fetch_add(1, Ordering::Relaxed);
                two_deposits()
            },
            1000,
        )
    });
    // ANCHOR_END: main
    let runs = RUNS.load(Ordering::Relaxed);
    match result {
        Ok(()) => {
            println!("shuttle tried {runs} random schedules and found no lost deposit");
            std::process::exit(1);
        }
        Err(_) => println!("shuttle found a schedule that loses a deposit, on run {runs}"),
    }
}
