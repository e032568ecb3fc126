use std::panic;
use std::process::ExitCode;

use loom::cell::UnsafeCell;
use loom::sync::Arc;
use loom::sync::atomic::{AtomicBool, Ordering};
use loom::thread;

pub struct SpinLock<T> {
    locked: AtomicBool,
    value: UnsafeCell<T>,
}

// SAFETY: Acquire and Release below order every access to `value` between
// one holder and the next, as loom checks.
unsafe impl<T: Send> Sync for SpinLock<T> {}

impl<T> SpinLock<T> {
    pub fn new(value: T) -> Self {
        SpinLock {
            locked: AtomicBool::new(false),
            value: UnsafeCell::new(value),
        }
    }

    // ANCHOR: with
    pub fn with<R>(&self, update: impl FnOnce(&mut T) -> R) -> R {
        // Acquire on success: we see everything the last holder wrote before
        // its Release. A failed attempt reads nothing we use: Relaxed.
        while self
            .locked
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            loom::hint::spin_loop();
        }
        // SAFETY: only the thread that set the flag gets here.
        let result = self.value.with_mut(|value| update(unsafe { &mut *value }));
        // Release: our writes to `value` are visible to the next Acquire.
        self.locked.store(false, Ordering::Release);
        result
    }
    // ANCHOR_END: with
}

/// The same lock with its two orderings as parameters, to show that each
/// half of the fix alone still fails.
struct TrialLock {
    locked: AtomicBool,
    value: UnsafeCell<u32>,
    lock: Ordering,
    unlock: Ordering,
}

// SAFETY: not sound for every pair of orderings; loom is here to say which.
unsafe impl Sync for TrialLock {}

impl TrialLock {
    fn add_one(&self) {
        while self
            .locked
            .compare_exchange_weak(false, true, self.lock, Ordering::Relaxed)
            .is_err()
        {
            loom::hint::spin_loop();
        }
        // SAFETY: only the thread that set the flag gets here.
        self.value.with_mut(|value| unsafe { *value += 1 });
        self.locked.store(false, self.unlock);
    }
}

fn trial(lock: Ordering, unlock: Ordering) -> Result<(), String> {
    check(move || {
        let counter = Arc::new(TrialLock {
            locked: AtomicBool::new(false),
            value: UnsafeCell::new(0),
            lock,
            unlock,
        });
        let other = Arc::clone(&counter);
        let worker = thread::spawn(move || other.add_one());
        counter.add_one();
        worker.join().unwrap();
    })
}

/// Runs a loom model; loom reports a bug by panicking, so catch the panic
/// (silently: the default report would print a path inside loom) and
/// return its message.
fn check(model: impl Fn() + Sync + Send + 'static) -> Result<(), String> {
    panic::set_hook(Box::new(|_| {}));
    let finding = panic::catch_unwind(panic::AssertUnwindSafe(|| loom::model(model)));
    let _ = panic::take_hook();
    finding.map_err(|panic| match panic.downcast_ref::<String>() {
        Some(message) => message.trim().to_string(),
        None => "a panic without a message".to_string(),
    })
}

fn say(what: &str, finding: &Result<(), String>) {
    match finding {
        Ok(()) => println!("{what}: loom found no failing interleaving"),
        Err(message) => println!("{what}: loom found a bug: {message}"),
    }
}

/// Two threads increment the counter once each; loom runs this once for
/// every interleaving, and panics if one of them goes wrong.
fn increment_twice() {
    let counter = Arc::new(SpinLock::new(0));
    let other = Arc::clone(&counter);
    let worker = thread::spawn(move || other.with(|count| *count += 1));
    counter.with(|count| *count += 1);
    worker.join().unwrap();
    assert_eq!(counter.with(|count| *count), 2);
}

fn main() -> ExitCode {
    let half_fixes = [
        (
            "Acquire to lock, Relaxed to unlock",
            Ordering::Acquire,
            Ordering::Relaxed,
        ),
        (
            "Relaxed to lock, Release to unlock",
            Ordering::Relaxed,
            Ordering::Release,
        ),
    ];
    let mut lesson = true;
    for (what, lock, unlock) in half_fixes {
        let finding = trial(lock, unlock);
        say(what, &finding);
        lesson &= finding.is_err(); // each half alone must fail
    }
    let finding = check(increment_twice);
    say("Acquire to lock, Release to unlock", &finding);
    lesson &= finding.is_ok();
    if lesson {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
