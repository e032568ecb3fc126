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

    // A checkout reads the price of each item in its basket.
    let checkout = |basket: &[&str]| -> u32 {
        // ANCHOR_END: all
        // The lesson, checked at once rather than by a hang: a second
        // reader gets in while main holds its read guard.
        assert!(
            prices.try_read().is_ok(),
            "a reader was kept out while main held a read guard"
        );
        // ANCHOR: all
        // Even while main holds its read guard, this read gets in.
        let view = prices.read().unwrap();
        basket.iter().map(|item| view[item]).sum()
    };

    // main takes a read guard and keeps it until the checkouts are done.
    let table = prices.read().unwrap();
    let totals = thread::scope(|scope| {
        let first = scope.spawn(|| checkout(&["apple", "milk"]));
        let second = scope.spawn(|| checkout(&["bread", "milk", "milk"]));
        [first.join().unwrap(), second.join().unwrap()]
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
