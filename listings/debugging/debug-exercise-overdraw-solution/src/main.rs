use shuttle::sync::{Arc, Mutex};
use shuttle::thread;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The starter's withdrawal: check, then withdraw, each under the lock.
fn withdraw_check_then_act(balance: &Mutex<i64>, amount: i64) -> bool {
    let enough = *balance.lock().unwrap() >= amount;
    if enough {
        *balance.lock().unwrap() -= amount;
    }
    enough
}

// ANCHOR: fix
/// The fix: one guard for the check and the withdrawal, so no other
/// withdrawal can run between them.
fn withdraw(balance: &Mutex<i64>, amount: i64) -> bool {
    let mut balance = balance.lock().unwrap();
    let enough = *balance >= amount;
    if enough {
        *balance -= amount;
    }
    enough
}
// ANCHOR_END: fix

static SCHEDULES: AtomicUsize = AtomicUsize::new(0);

// ANCHOR: test
/// The starter's check as a shuttle test: shuttle's `Arc`, `Mutex` and
/// `thread` in place of std's, and an assertion instead of a count.
fn two_withdrawals(withdraw: fn(&Mutex<i64>, i64) -> bool) {
    SCHEDULES.fetch_add(1, Ordering::Relaxed);
    let balance = Arc::new(Mutex::new(100));
    let withdrawals: Vec<_> = (0..2)
        .map(|_| {
            let balance = Arc::clone(&balance);
            thread::spawn(move || withdraw(&balance, 60))
        })
        .collect();
    for withdrawal in withdrawals {
        withdrawal.join().unwrap();
    }
    let left = *balance.lock().unwrap();
    assert!(left >= 0, "overdrawn: the balance is {left}");
}

fn main() {
    // The starter's withdrawal, under up to 1,000 random schedules.
    let found = std::panic::catch_unwind(|| {
        shuttle::check_random(|| two_withdrawals(withdraw_check_then_act), 1000)
    })
    .is_err();
    if !found {
        eprintln!("shuttle tried 1000 schedules and found no overdraft");
        std::process::exit(1);
    }
    println!("shuttle found a schedule that overdraws the account");
    // The fix, under every schedule there is.
    SCHEDULES.store(0, Ordering::Relaxed);
    shuttle::check_dfs(|| two_withdrawals(withdraw), None);
    let tried = SCHEDULES.load(Ordering::Relaxed);
    println!("the fixed withdrawal passed all {tried} schedules (check_dfs)");
}
// ANCHOR_END: test

#[cfg(test)]
mod tests {
    use super::*;

    /// In a project, the check is a test: every schedule of the fix passes.
    #[test]
    fn no_schedule_overdraws() {
        shuttle::check_dfs(|| two_withdrawals(withdraw), None);
    }
}
