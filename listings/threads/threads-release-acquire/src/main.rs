//! A data-ready flag. One thread writes a value into a slot and then stores
//! `true` with Release; a thread whose Acquire load sees `true` sees the value.
//! Written against `sync` (std's types, or loom's under `--cfg loom`), so the
//! loom test at the end checks every interleaving of it.

use std::thread;

// ANCHOR: slot
// `sync::UnsafeCell` wraps std's UnsafeCell in loom's API: see `mod sync`.
use sync::{AtomicBool, Ordering, UnsafeCell};

/// A slot that one thread fills once and any number of threads then read.
pub struct Slot<T> {
    /// Taken by the one thread allowed to write.
    claimed: AtomicBool,
    /// Set once the value is written: the data-ready flag.
    ready: AtomicBool,
    value: UnsafeCell<Option<T>>,
}

// SAFETY: `value` is written once, by the thread that claimed the slot,
// before `ready` is set with Release; it is read only after an Acquire load
// of `ready` saw `true`, and never written again. So no read overlaps the
// write. Readers share `&T` across threads (T: Sync), and the value was made
// on another thread (T: Send).
unsafe impl<T: Send + Sync> Sync for Slot<T> {}
// ANCHOR_END: slot

impl<T> Slot<T> {
    pub fn new() -> Self {
        Slot {
            claimed: AtomicBool::new(false),
            ready: AtomicBool::new(false),
            value: UnsafeCell::new(None),
        }
    }

    // ANCHOR: publish
    /// Fills the slot. Panics if it was filled before.
    pub fn publish(&self, value: T) {
        // Relaxed: the swap only has to pick one writer; it publishes nothing.
        let already = self.claimed.swap(true, Ordering::Relaxed);
        assert!(!already, "the slot can be filled only once");
        // SAFETY: only the claiming thread gets here, and nobody reads
        // `value` before `ready` is true.
        self.value.with_mut(|slot| unsafe { *slot = Some(value) });
        // Release: every write above happens before any Acquire load that
        // reads this `true`.
        self.ready.store(true, Ordering::Release);
    }
    // ANCHOR_END: publish

    // ANCHOR: read
    /// Runs `read` on the value, once it has been published. The read
    /// happens inside `with`, so that loom tracks it as a read of the cell.
    pub fn read<R>(&self, read: impl FnOnce(&T) -> R) -> Option<R> {
        // Acquire: pairs with the Release store in `publish`.
        if self.ready.load(Ordering::Acquire) {
            // SAFETY: the write is complete and visible, and there will be
            // no other.
            self.value
                .with(|slot| unsafe { (*slot).as_ref() }.map(read))
        } else {
            None
        }
    }
    // ANCHOR_END: read
}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Self::new()
    }
}

// ANCHOR: main
fn main() {
    let report: Slot<Vec<String>> = Slot::new();
    let seen: Vec<usize> = thread::scope(|scope| {
        let readers: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| {
                    loop {
                        // Spinning is fine for one quick write; a reader
                        // that may wait long should sleep (thread::park).
                        match report.read(Vec::len) {
                            Some(lines) => return lines,
                            None => thread::yield_now(),
                        }
                    }
                })
            })
            .collect();
        scope.spawn(|| {
            let lines = (1..=3).map(|n| format!("line {n}")).collect();
            report.publish(lines);
        });
        readers.into_iter().map(|r| r.join().unwrap()).collect()
    });
    println!("each reader saw the whole report: {seen:?} lines");
}
// ANCHOR_END: main

/// std's types, or loom's stand-ins for them when built with `--cfg loom`.
// ANCHOR: wrapper
#[cfg(not(loom))]
mod sync {
    pub use std::sync::atomic::{AtomicBool, Ordering};

    /// std's `UnsafeCell` with the closure API of loom's.
    pub struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

    impl<T> UnsafeCell<T> {
        pub fn new(value: T) -> Self {
            UnsafeCell(std::cell::UnsafeCell::new(value))
        }

        pub fn with<R>(&self, read: impl FnOnce(*const T) -> R) -> R {
            read(self.0.get())
        }

        pub fn with_mut<R>(&self, write: impl FnOnce(*mut T) -> R) -> R {
            write(self.0.get())
        }
    }
}
// ANCHOR_END: wrapper

#[cfg(loom)]
mod sync {
    pub use loom::cell::UnsafeCell;
    pub use loom::sync::atomic::{AtomicBool, Ordering};
}

/// `RUSTFLAGS="--cfg loom" cargo test -p threads-release-acquire --release`
#[cfg(all(test, loom))]
mod model {
    use super::Slot;
    use loom::sync::Arc;
    use loom::thread;

    #[test]
    fn a_reader_that_sees_the_flag_sees_the_whole_value() {
        loom::model(|| {
            let slot = Arc::new(Slot::new());
            let writer = {
                let slot = Arc::clone(&slot);
                thread::spawn(move || slot.publish(vec![1, 2, 3]))
            };
            // Either the flag is not set yet, or the value is all there;
            // loom also fails if the read is not ordered after the write.
            if let Some(value) = slot.read(Vec::clone) {
                assert_eq!(value, vec![1, 2, 3]);
            }
            writer.join().unwrap();
            assert_eq!(slot.read(Vec::clone), Some(vec![1, 2, 3]));
        });
    }
}
