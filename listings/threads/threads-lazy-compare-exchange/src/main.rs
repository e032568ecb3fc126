use std::sync::atomic::AtomicUsize;
use std::time::Duration;

// ANCHOR: lazy
use std::ptr;
use std::sync::Barrier;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::thread;
// ANCHOR_END: lazy

struct Config {
    currency: String,
    vat_percent: u32,
}

static CONFIGS_BUILT: AtomicUsize = AtomicUsize::new(0);
static CONFIGS_FREED: AtomicUsize = AtomicUsize::new(0);

/// Counts the Configs really freed: the kept one is never dropped.
impl Drop for Config {
    fn drop(&mut self) {
        CONFIGS_FREED.fetch_add(1, Ordering::Relaxed);
    }
}

/// Stands for reading a file: slow enough to be worth doing once.
fn load_config() -> Config {
    CONFIGS_BUILT.fetch_add(1, Ordering::Relaxed);
    thread::sleep(Duration::from_millis(20));
    Config {
        currency: String::from("EUR"),
        vat_percent: 21,
    }
}

// ANCHOR: lazy
/// Null until the first call stores a pointer to a leaked `Config`.
static CONFIG: AtomicPtr<Config> = AtomicPtr::new(ptr::null_mut());

fn config() -> &'static Config {
    // Acquire: if we see a pointer, we see the Config it points to.
    let current = CONFIG.load(Ordering::Acquire);
    if !current.is_null() {
        // SAFETY: a non-null pointer was stored by the compare_exchange
        // below; its Config is never freed or changed.
        return unsafe { &*current };
    }
    let ours = Box::into_raw(Box::new(load_config()));
    // Success ordering Release: publishes our Config with the pointer.
    // Failure ordering Acquire: we read the winner's Config instead.
    match CONFIG.compare_exchange(ptr::null_mut(), ours, Ordering::Release, Ordering::Acquire) {
        // SAFETY: stored just now, never freed.
        Ok(_) => unsafe { &*ours },
        Err(winner) => {
            // Another thread got there first. Ours was never shared: free it.
            // SAFETY: `ours` came from Box::into_raw and nobody else has it.
            drop(unsafe { Box::from_raw(ours) });
            // SAFETY: as for `current` above.
            unsafe { &*winner }
        }
    }
}
// ANCHOR_END: lazy

// ANCHOR: main
// Continued from the previous part.
fn main() {
    const THREADS: usize = 4;
    let start = Barrier::new(THREADS);
    let seen: Vec<&'static Config> = thread::scope(|scope| {
        let handles: Vec<_> = (0..THREADS)
            .map(|_| {
                scope.spawn(|| {
                    // All four ask at the same moment.
                    start.wait();
                    config()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let all_same = seen.iter().all(|&c| ptr::eq(c, seen[0]));
    let built = CONFIGS_BUILT.load(Ordering::Relaxed);
    let freed = CONFIGS_FREED.load(Ordering::Relaxed);
    let config = config();
    println!("{THREADS} threads got the same Config: {all_same}");
    println!("Configs built: {built}, freed: {freed}");
    println!("currency {}, VAT {}%", config.currency, config.vat_percent);
}
// ANCHOR_END: main
