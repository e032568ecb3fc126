use std::sync::atomic::{AtomicBool, Ordering};
// ANCHOR: all
use std::sync::Mutex;
use std::time::Duration;

const SAVE: Duration = Duration::from_millis(50);

// ANCHOR_END: all
const WATCHDOG: Duration = Duration::from_millis(200);

/// Set once B's `lock()` returns, which would mean there was no deadlock.
static B_LOCKED: AtomicBool = AtomicBool::new(false);

/// A plain thread, outside the runtime: it runs even if the runtime's thread
/// is stuck, and ends the process, since nothing can wake that thread.
fn start_watchdog() {
    std::thread::spawn(|| {
        std::thread::sleep(WATCHDOG);
        if B_LOCKED.load(Ordering::SeqCst) {
            println!("check: B got the lock, so there was no deadlock");
            std::process::exit(1);
        }
        let waited = WATCHDOG.as_millis();
        println!("check: B's lock() has not returned after {waited} ms: deadlock");
        std::process::exit(0);
    });
}

// ANCHOR: all
#[tokio::main(flavor = "current_thread")] // one thread runs A and B
// ANCHOR_END: all
#[expect(clippy::await_holding_lock)] // clippy warns about A; rustc does not
// ANCHOR: all
async fn main() {
    // ANCHOR_END: all
    start_watchdog();
    // ANCHOR: all
    let visits = Mutex::new(0);
    let a = async {
        let mut count = visits.lock().unwrap();
        println!("A: locked, now saving");
        tokio::time::sleep(SAVE).await; // gives the thread back, keeps the guard
        *count += 1;
        println!("A: saved");
    };
    let b = async {
        // ANCHOR_END: all
        // B waits one turn, so A holds the lock whichever join! polls first.
        tokio::task::yield_now().await;
        // ANCHOR: all
        println!("B: calling lock()");
        let count = visits.lock().unwrap(); // A's guard is alive: blocks the thread
        // ANCHOR_END: all
        B_LOCKED.store(true, Ordering::SeqCst);
        // ANCHOR: all
        println!("B: sees {}", *count);
    };
    tokio::join!(a, b);
    // ANCHOR_END: all
    println!("check: join! finished, so there was no deadlock");
    std::process::exit(1);
    // ANCHOR: all
}
// ANCHOR_END: all
