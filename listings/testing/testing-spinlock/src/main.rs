//! A spin lock: the smallest lock there is, and easy to get subtly wrong.
//! Built on `sync`, a module that is std's types in a normal build and
//! loom's under `--cfg loom`, so the same code runs for real and in the model.

use sync::{AtomicBool, Ordering, UnsafeCell};

// ANCHOR: lock
pub struct SpinLock<T> {
    locked: AtomicBool,
    value: UnsafeCell<T>,
}

// SAFETY: the lock hands out access to `value` to one thread at a time, so
// sharing the lock between threads is sound whenever `T` may be sent.
unsafe impl<T: Send> Sync for SpinLock<T> {}

impl<T> SpinLock<T> {
    pub fn new(value: T) -> Self {
        SpinLock {
            locked: AtomicBool::new(false),
            value: UnsafeCell::new(value),
        }
    }

    /// Runs `update` with the value, with the lock held.
    pub fn with<R>(&self, update: impl FnOnce(&mut T) -> R) -> R {
        // Acquire: what the last holder wrote before its Release store is
        // visible to us once we see `locked` go from false to true.
        while self
            .locked
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            sync::spin_loop();
        }
        // SAFETY: we hold the lock, so no other thread is in here.
        let result = self.value.with_mut(|value| update(unsafe { &mut *value }));
        // Release: publish our writes to the next thread that acquires.
        self.locked.store(false, Ordering::Release);
        result
    }
}
// ANCHOR_END: lock

fn main() {
    let counter = sync::Arc::new(SpinLock::new(0_u64));
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let counter = sync::Arc::clone(&counter);
            sync::thread::spawn(move || {
                for _ in 0..10_000 {
                    counter.with(|count| *count += 1);
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().expect("a worker panicked");
    }
    let total = counter.with(|count| *count);
    assert_eq!(total, 40_000, "the lock lost an update");
    println!("4 threads x 10000 increments = {total}");
}

// ANCHOR: sync
/// std's types, or loom's stand-ins for them when built with `--cfg loom`.
#[cfg(not(loom))]
mod sync {
    pub use std::hint::spin_loop;
    pub use std::sync::Arc;
    pub use std::sync::atomic::{AtomicBool, Ordering};
    pub use std::thread;

    /// std's `UnsafeCell` with the closure API of loom's, which loom needs
    /// to see every access.
    pub struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

    impl<T> UnsafeCell<T> {
        pub fn new(value: T) -> Self {
            UnsafeCell(std::cell::UnsafeCell::new(value))
        }

        pub fn with_mut<R>(&self, access: impl FnOnce(*mut T) -> R) -> R {
            access(self.0.get())
        }
    }
}

#[cfg(loom)]
mod sync {
    pub use loom::cell::UnsafeCell;
    pub use loom::hint::spin_loop;
    pub use loom::sync::Arc;
    pub use loom::sync::atomic::{AtomicBool, Ordering};
    pub use loom::thread;
}
// ANCHOR_END: sync

// ANCHOR: model
/// `RUSTFLAGS="--cfg loom" cargo test -p testing-spinlock --release`
#[cfg(all(test, loom))]
mod model {
    use super::SpinLock;
    use super::sync::{Arc, thread};

    #[test]
    fn no_interleaving_loses_an_increment() {
        // loom runs this closure once for every way the two threads can
        // interleave (and every value a load may legally see).
        loom::model(|| {
            let counter = Arc::new(SpinLock::new(0));
            let other = Arc::clone(&counter);
            let worker = thread::spawn(move || other.with(|count| *count += 1));
            counter.with(|count| *count += 1);
            worker.join().unwrap();
            assert_eq!(counter.with(|count| *count), 2);
        });
    }
}
// ANCHOR_END: model
