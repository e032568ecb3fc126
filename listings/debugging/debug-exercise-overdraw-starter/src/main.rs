// ANCHOR: all
use std::sync::{Arc, Mutex};
use std::thread;

/// Takes `amount` from the balance if there is enough, and says whether it
/// did. The check and the withdrawal each take the lock.
fn withdraw(balance: &Mutex<i64>, amount: i64) -> bool {
    let enough = *balance.lock().unwrap() >= amount;
    if enough {
        *balance.lock().unwrap() -= amount;
    }
    enough
}

/// Two withdrawals of 60 at once from a balance of 100: at most one may
/// succeed, so the balance must never go below zero. Returns the balance.
fn two_withdrawals() -> i64 {
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
    *balance.lock().unwrap()
}

fn main() {
    let runs = 1000;
    let overdrawn = (0..runs).filter(|_| two_withdrawals() < 0).count();
    println!("{runs} runs of two withdrawals on real threads: overdrawn {overdrawn} times");
}
// ANCHOR_END: all
