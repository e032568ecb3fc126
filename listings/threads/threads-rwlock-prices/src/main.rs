use std::collections::BTreeMap;
use std::sync::{Barrier, RwLock, TryLockError};
use std::thread;

fn main() {
    // ANCHOR: all
    let prices = RwLock::new(BTreeMap::from([
        ("apple", 120),
        ("bread", 250),
        ("milk", 99),
    ]));
    let baskets = [vec!["apple", "milk"], vec!["bread", "milk", "milk"]];
    // Three parties: the two checkout threads and main.
    let both_reading = Barrier::new(3);
    let writer_tried = Barrier::new(3);

    let totals: Vec<u32> = thread::scope(|scope| {
        let checkouts: Vec<_> = baskets
            .iter()
            .map(|basket| {
                scope.spawn(|| {
                    let table = prices.read().unwrap();
                    // Both checkouts get here while holding a read guard:
                    // readers do not exclude each other.
                    both_reading.wait();
                    writer_tried.wait();
                    basket.iter().map(|item| table[item]).sum()
                })
            })
            .collect();

        both_reading.wait();
        // Two read guards are alive now, so a writer cannot get in.
        match prices.try_write() {
            Err(TryLockError::WouldBlock) => {
                println!("price update: waits, 2 readers hold the lock")
            }
            Ok(_) => println!("price update: got in while readers were reading?"),
            Err(TryLockError::Poisoned(_)) => println!("price update: the lock is poisoned"),
        }
        writer_tried.wait();
        // write() waits until both read guards are dropped.
        prices.write().unwrap().insert("milk", 109);
        println!("price update: milk now costs 109");

        checkouts.into_iter().map(|c| c.join().unwrap()).collect()
    });
    // The checkouts read the table before the update: they used the old price.
    println!("basket totals: {totals:?}");
    // ANCHOR_END: all
}
