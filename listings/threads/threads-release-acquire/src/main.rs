//! A data-ready flag. One thread writes a value into a slot and then stores
//! `true` with Release; a thread whose Acquire load sees `true` sees the value.
//! Built with `--cfg loom`, it uses loom's types instead of std's, so the loom
//! test at the end checks every interleaving of it.

use std::thread;

#[cfg(not(loom))]
use std::cell::UnsafeCell;
#[cfg(not(loom))]
use std::sync::atomic::{AtomicBool, Ordering};
// Built with `--cfg loom`, the slot's code uses loom's stand-ins instead.
#[cfg(loom)]
use loom::sync::atomic::{AtomicBool, Ordering};
#[cfg(loom)]
use loom_cell::UnsafeCell;

// ANCHOR: slot
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
    // Continued from the previous part.
    /// Fills the slot. Panics if it was filled before.
    pub fn publish(&self, value: T) {
        // Relaxed: the swap only has to pick one writer; it publishes nothing.
        let already = self.claimed.swap(true, Ordering::Relaxed);
        assert!(!already, "the slot can be filled only once");
        // SAFETY: only the claiming thread gets here, and nobody reads
        // `value` before `ready` is true.
        unsafe { *self.value.get() = Some(value) };
        // Release: every write above happens before any Acquire load that
        // reads this `true`.
        self.ready.store(true, Ordering::Release);
    }
    // ANCHOR_END: publish

    // ANCHOR: get
    // Continued from the previous part.
    /// The value, once it has been published.
    pub fn get(&self) -> Option<&T> {
        // Acquire: pairs with the Release store in `publish`.
        if self.ready.load(Ordering::Acquire) {
            // SAFETY: the write is complete and visible, and there will be
            // no other, so a shared reference to the value stays valid.
            unsafe { (*self.value.get()).as_ref() }
        } else {
            None
        }
    }
    // ANCHOR_END: get
}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Self::new()
    }
}

// ANCHOR: main
// Continued from the previous part.
fn main() {
    let report: Slot<Vec<String>> = Slot::new();
    let seen = thread::scope(|scope| {
        // Spinning is fine for one quick write; a reader that may wait
        // long should sleep (thread::park).
        let reader = || loop {
            match report.get() {
                Some(lines) => return lines.len(),
                None => thread::yield_now(),
            }
        };
        let first = scope.spawn(reader);
        let second = scope.spawn(reader);
        scope.spawn(|| {
            let lines = (1..=3).map(|n| format!("line {n}")).collect();
            report.publish(lines);
        });
        [first.join().unwrap(), second.join().unwrap()]
    });
    println!("each reader saw the whole report: {seen:?} lines");
}
// ANCHOR_END: main

/// loom checks only the accesses it is told about: its `UnsafeCell` records
/// one inside `with` (a read) or `with_mut` (a write). This stand-in gives
/// the slot std's method, `get`, and records a write each time it is called,
/// just before the slot reads or writes through the pointer. Recording reads
/// as writes is stricter than needed: two readers would be reported as a
/// race, so the model below has one.
#[cfg(loom)]
mod loom_cell {
    pub struct UnsafeCell<T>(loom::cell::UnsafeCell<T>);

    impl<T> UnsafeCell<T> {
        pub fn new(value: T) -> Self {
            UnsafeCell(loom::cell::UnsafeCell::new(value))
        }

        pub fn get(&self) -> *mut T {
            self.0.with_mut(|pointer| pointer)
        }
    }
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
            if let Some(value) = slot.get() {
                assert_eq!(*value, vec![1, 2, 3]);
            }
            writer.join().unwrap();
            assert_eq!(slot.get(), Some(&vec![1, 2, 3]));
        });
    }
}
