// ANCHOR: lock
use std::panic;

use loom::cell::UnsafeCell;
use loom::sync::Arc;
use loom::sync::atomic::{AtomicBool, Ordering};
use loom::thread;

pub struct SpinLock<T> {
    locked: AtomicBool,
    value: UnsafeCell<T>,
}

// SAFETY: sound once the orderings are right; finding them is the exercise.
unsafe impl<T: Send> Sync for SpinLock<T> {}

impl<T> SpinLock<T> {
    pub fn new(value: T) -> Self {
        SpinLock {
            locked: AtomicBool::new(false),
            value: UnsafeCell::new(value),
        }
    }

    pub fn with<R>(&self, update: impl FnOnce(&mut T) -> R) -> R {
        while self
            .locked
            .compare_exchange_weak(false, true, Ordering::Relaxed, Ordering::Relaxed)
            .is_err()
        {
            loom::hint::spin_loop();
        }
        // SAFETY: only the thread that set the flag gets here.
        let result = self.value.with_mut(|value| update(unsafe { &mut *value }));
        self.locked.store(false, Ordering::Relaxed);
        result
    }
}
// ANCHOR_END: lock

// ANCHOR: model
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

fn main() {
    panic::set_hook(Box::new(|_| {})); // loom's panic is the report: print it below
    match panic::catch_unwind(|| loom::model(increment_twice)) {
        Ok(()) => println!("loom found no failing interleaving"),
        Err(panic) => match panic.downcast_ref::<String>() {
            Some(message) => println!("loom found a bug: {}", message.trim()),
            None => println!("loom found a bug"),
        },
    }
}
// ANCHOR_END: model
