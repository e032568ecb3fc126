// ANCHOR: all
use std::sync::Mutex;
use std::thread;

fn main() {
    let ledger = Mutex::new(vec![100, -20]);

    let writer = thread::scope(|scope| {
        scope
            .spawn(|| {
                let mut entries = ledger.lock().unwrap();
                entries.push(-30);
                // A panic half-way through an update, with the guard alive.
                panic!("connection lost before the matching +30 was written");
            })
            .join()
    });
    println!("the writer thread panicked: {}", writer.is_err());

    // The lock was held when its thread panicked: it is poisoned, and lock()
    // says so instead of handing out possibly half-updated data unasked.
    match ledger.lock() {
        Ok(entries) => println!("not poisoned: {entries:?}"),
        Err(poisoned) => {
            // The data is still there; take it if you can check or repair it.
            let entries = poisoned.into_inner();
            println!("poisoned; the entries as the writer left them: {entries:?}");
        }
    }
    // After checking (or repairing) the data, declare the lock healthy again.
    ledger.clear_poison();
    println!("after clear_poison, poisoned: {}", ledger.is_poisoned());
}
// ANCHOR_END: all
