// ANCHOR: lazy
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Barrier, LazyLock, OnceLock};
use std::thread;
use std::time::Duration;

static TABLE_BUILDS: AtomicUsize = AtomicUsize::new(0);

/// Built on first use by whichever thread gets there first; any thread that
/// arrives meanwhile waits for that one build.
static VAT_PERCENT: LazyLock<BTreeMap<&str, u32>> = LazyLock::new(|| {
    TABLE_BUILDS.fetch_add(1, Ordering::Relaxed);
    // Stands for a slow build (reading a file, say), so that the other
    // callers arrive while it runs. Not for correctness: LazyLock runs the
    // closure once whatever the timing.
    thread::sleep(Duration::from_millis(20));
    BTreeMap::from([("DE", 19), ("FR", 20), ("NL", 21)])
});
// ANCHOR_END: lazy

// ANCHOR: once
// Continued from the previous part.
/// Set once, when the program knows the value; read everywhere after.
static CURRENCY: OnceLock<String> = OnceLock::new();

// ANCHOR: main
// Continued from the previous part.
fn main() {
    // ANCHOR_END: main
    CURRENCY
        .set(String::from("EUR"))
        .expect("the currency was already set");
    // A second set is refused and hands the value back.
    let again = CURRENCY.set(String::from("USD"));
    println!("setting the currency again: {again:?}");
    // ANCHOR_END: once

    // ANCHOR: main
    let countries = ["FR", "DE", "FR", "NL"];
    // All callers ask for the table at the same moment.
    let start = Barrier::new(countries.len());
    let rates: Vec<u32> = thread::scope(|scope| {
        let handles: Vec<_> = countries
            .iter()
            .map(|country| {
                let start = &start;
                scope.spawn(move || {
                    start.wait();
                    VAT_PERCENT[country]
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let currency = CURRENCY.get().expect("set at the start of main");
    println!("VAT for {countries:?} in {currency}: {rates:?} percent");
    let builds = TABLE_BUILDS.load(Ordering::Relaxed);
    println!(
        "the table was built {builds} time(s) for {} concurrent callers",
        countries.len()
    );
    // ANCHOR: once
}
// ANCHOR_END: once
// ANCHOR_END: main
