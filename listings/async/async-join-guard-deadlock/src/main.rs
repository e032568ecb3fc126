use std::sync::atomic::{AtomicBool, Ordering};
// ANCHOR: all
use std::sync::Mutex;
use std::time::Duration;
// ANCHOR_END: all

/// Set once B's `lock()` returns, which would mean there was no deadlock.
static B_LOCKED: AtomicBool = AtomicBool::new(false);

// ANCHOR: all
const SAVE: Duration = Duration::from_millis(50);
const WATCHDOG: Duration = Duration::from_millis(200);

/// A plain thread, outside the runtime: it runs even if the runtime's thread is stuck.
fn start_watchdog() {
    std::thread::spawn(|| {
        std::thread::sleep(WATCHDOG);
        // ANCHOR_END: all
        if B_LOCKED.load(Ordering::SeqCst) {
            println!("watchdog: B got the lock, so there was no deadlock");
            std::process::exit(1);
        }
        // ANCHOR: all
        let waited = WATCHDOG.as_millis();
        println!("watchdog: B's lock() has not returned after {waited} ms: deadlock");
        std::process::exit(0); // nothing can wake the stuck thread: end the process
    });
}

#[tokio::main(flavor = "current_thread")] // one thread runs A and B
#[expect(clippy::await_holding_lock)] // clippy warns about A; rustc does not
async fn main() {
    start_watchdog();
    let visits = Mutex::new(0);
    let a = async {
        let mut count = visits.lock().unwrap();
        println!("A: locked, now saving");
        tokio::time::sleep(SAVE).await; // gives the thread back, keeps the guard
        *count += 1;
        println!("A: saved");
    };
    let b = async {
        // biased; makes join! poll A first, so A already holds the lock here.
        println!("B: calling lock()");
        let count = visits.lock().unwrap(); // A's guard is alive: blocks the thread
        // ANCHOR_END: all
        B_LOCKED.store(true, Ordering::SeqCst);
        // ANCHOR: all
        println!("B: sees {}", *count);
    };
    tokio::join!(biased; a, b);
    // ANCHOR_END: all
    println!("join! finished: there was no deadlock");
    std::process::exit(1);
    // ANCHOR: all
}
// ANCHOR_END: all
