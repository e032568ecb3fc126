// ANCHOR: all
use std::collections::BTreeMap;
use std::sync::RwLock;
use std::thread;

fn main() {
    let prices = RwLock::new(BTreeMap::from([
        ("apple", 120),
        ("bread", 250),
        ("milk", 99),
    ]));
    let baskets = [vec!["apple", "milk"], vec!["bread", "milk", "milk"]];

    // main takes a read guard and keeps it until the checkouts are done.
    let table = prices.read().unwrap();
    let totals: Vec<u32> = thread::scope(|scope| {
        let checkouts: Vec<_> = baskets
            .iter()
            .map(|basket| {
                scope.spawn(|| {
                    // ANCHOR_END: all
                    // The lesson, checked at once rather than by a hang: a
                    // second reader gets in while main holds its read guard.
                    assert!(
                        prices.try_read().is_ok(),
                        "a reader was kept out while main held a read guard"
                    );
                    // ANCHOR: all
                    // main still holds its read guard, and this read gets in.
                    let table = prices.read().unwrap();
                    basket.iter().map(|item| table[item]).sum()
                })
            })
            .collect();
        checkouts.into_iter().map(|c| c.join().unwrap()).collect()
    });
    println!("checkouts, read while main reads too: {totals:?}");

    // A writer needs the lock alone: try_write() fails instead of waiting.
    let refused = prices.try_write().is_err();
    println!("price update refused while main reads: {refused}");
    // ANCHOR_END: all
    assert!(refused, "a writer got in while main held a read guard");
    // ANCHOR: all

    // write() would wait for every read guard; main drops its own first.
    drop(table);
    prices.write().unwrap().insert("milk", 109);
    println!(
        "price update after main let go: milk costs {}",
        prices.read().unwrap()["milk"]
    );
}
// ANCHOR_END: all
