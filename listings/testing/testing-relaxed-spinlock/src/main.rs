//! The spin lock of `testing-spinlock`, written against loom's types only,
//! with the one mistake that matters: Relaxed where it needs Acquire and
//! Release. `main` asks loom to check it, and reports what loom found.

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

// SAFETY: meant to be sound as in testing-spinlock; loom shows it is not.
unsafe impl<T: Send> Sync for SpinLock<T> {}

impl<T> SpinLock<T> {
    pub fn new(value: T) -> Self {
        SpinLock {
            locked: AtomicBool::new(false),
            value: UnsafeCell::new(value),
        }
    }

    // ANCHOR: relaxed
    pub fn with<R>(&self, update: impl FnOnce(&mut T) -> R) -> R {
        // The mistake: Relaxed makes the flag itself atomic, but orders
        // nothing else. The previous holder's write to `value` need not be
        // visible to us yet.
        while self
            .locked
            .compare_exchange_weak(false, true, Ordering::Relaxed, Ordering::Relaxed)
            .is_err()
        {
            loom::hint::spin_loop();
        }
        // SAFETY: what we would like to be true, and is not.
        let result = self.value.with_mut(|value| update(unsafe { &mut *value }));
        self.locked.store(false, Ordering::Relaxed);
        result
    }
    // ANCHOR_END: relaxed
}

// ANCHOR: main
/// The same check as testing-spinlock's loom test, run from `main`.
fn two_threads_increment() {
    let counter = Arc::new(SpinLock::new(0));
    let other = Arc::clone(&counter);
    let worker = thread::spawn(move || other.with(|count| *count += 1));
    counter.with(|count| *count += 1);
    worker.join().unwrap();
    assert_eq!(counter.with(|count| *count), 2);
}

fn main() -> ExitCode {
    // loom reports a bug by panicking: catch the panic and print its message.
    let finding = quietly(|| loom::model(two_threads_increment));
    report(finding)
}
// ANCHOR_END: main

/// Runs `model`, catching a panic, with the default panic report silenced:
/// it would print a path inside loom's source.
fn quietly(model: impl FnOnce() + panic::UnwindSafe) -> std::thread::Result<()> {
    panic::set_hook(Box::new(|_| {}));
    let finding = panic::catch_unwind(model);
    let _ = panic::take_hook();
    finding
}

/// Prints loom's message; fails if loom found nothing, since this listing
/// exists to show the bug being found.
fn report(finding: std::thread::Result<()>) -> ExitCode {
    match finding {
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("(a panic without a message)");
            println!("loom found a bug: {}", message.trim());
            ExitCode::SUCCESS
        }
        Ok(()) => {
            println!("loom explored every interleaving and found nothing wrong");
            ExitCode::FAILURE
        }
    }
}
