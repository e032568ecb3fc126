use std::process::ExitCode;
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::Duration;

// ANCHOR: naive
use std::collections::BTreeMap;
use std::sync::Mutex;

/// The price cache: item name to price, behind one lock.
type Prices = Mutex<BTreeMap<&'static str, u32>>;

/// Stands for a slow lookup in a database.
fn look_up(item: &str) -> u32 {
    item.len() as u32 * 33
}

/// Returns the cached price, or looks it up and caches it.
fn price_naive(prices: &Prices, item: &'static str) -> u32 {
    // The guard made here is a temporary of the `match` scrutinee: it lives
    // until the end of the whole `match`, arms included.
    match prices.lock().unwrap().get(item) {
        Some(&price) => price,
        None => {
            let price = look_up(item);
            // This thread still holds the lock: this lock() never returns.
            prices.lock().unwrap().insert(item, price);
            price
        }
    }
}
// ANCHOR_END: naive

// ANCHOR: fixed
// Continued from the previous part.
/// One guard, with a name, for the check and the insert.
fn price_fixed(prices: &Prices, item: &'static str) -> u32 {
    let mut prices = prices.lock().unwrap();
    *prices.entry(item).or_insert_with(|| look_up(item))
}
// ANCHOR_END: fixed

/// Runs `lookup` on a thread of its own and waits for it at most `limit`.
/// Returns whether it answered in time.
fn with_watchdog(
    name: &str,
    limit: Duration,
    lookup: impl FnOnce() -> u32 + Send + 'static,
) -> bool {
    let (done, answer) = mpsc::channel();
    let worker = thread::spawn(move || {
        let _ = done.send(lookup());
    });
    match answer.recv_timeout(limit) {
        Ok(price) => {
            println!("{name}: milk costs {price} cents");
            true
        }
        Err(RecvTimeoutError::Timeout) => {
            let finished = worker.is_finished();
            println!(
                "{name}: deadlock: no answer after {} ms, thread finished: {finished}",
                limit.as_millis()
            );
            false
        }
        Err(RecvTimeoutError::Disconnected) => {
            println!("{name}: the thread panicked instead of answering");
            false
        }
    }
}

fn main() -> ExitCode {
    // A cache is shared by many threads in a real program, hence the Arc; one
    // thread is enough for this deadlock. Each version gets its own cache,
    // because the naive thread never unlocks its one.
    let naive_cache: Arc<Prices> = Arc::new(Mutex::new(BTreeMap::new()));
    let fixed_cache: Arc<Prices> = Arc::new(Mutex::new(BTreeMap::new()));
    // The naive version never answers, so its wait is short; the fixed one
    // answers at once, and gets a generous limit for a busy machine.
    let naive = with_watchdog("price_naive", Duration::from_millis(300), move || {
        price_naive(&naive_cache, "milk")
    });
    let fixed = with_watchdog("price_fixed", Duration::from_secs(5), move || {
        price_fixed(&fixed_cache, "milk")
    });
    // The naive thread is still blocked; returning from main ends it.
    if !naive && fixed {
        ExitCode::SUCCESS
    } else {
        println!("check: expected the naive version to deadlock and the fixed one to answer");
        ExitCode::FAILURE
    }
}
