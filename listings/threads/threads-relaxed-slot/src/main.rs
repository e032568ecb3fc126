//! The slot of `threads-release-acquire`, written against loom's types only,
//! with one change: the store of `ready` is Relaxed instead of Release.
//! `main` asks loom to check it, and reports what loom found.

use std::panic;
use std::process::ExitCode;

use loom::cell::UnsafeCell;
use loom::sync::Arc;
use loom::sync::atomic::{AtomicBool, Ordering};
use loom::thread;

pub struct Slot<T> {
    ready: AtomicBool,
    value: UnsafeCell<Option<T>>,
}

// SAFETY: meant to be sound as in threads-release-acquire; loom shows it is not.
unsafe impl<T: Send + Sync> Sync for Slot<T> {}

impl<T> Slot<T> {
    pub fn new() -> Self {
        Slot {
            ready: AtomicBool::new(false),
            value: UnsafeCell::new(None),
        }
    }

    // ANCHOR: relaxed
    pub fn publish(&self, value: T) {
        // SAFETY: what we would like to be true, and is not.
        self.value.with_mut(|slot| unsafe { *slot = Some(value) });
        // The mistake: Relaxed makes the flag itself atomic, but does not
        // order the write of `value` before a read that sees the flag.
        self.ready.store(true, Ordering::Relaxed);
    }
    // ANCHOR_END: relaxed

    pub fn get(&self) -> Option<&T> {
        if self.ready.load(Ordering::Acquire) {
            // SAFETY: what we would like to be true, and is not. loom checks
            // the read when `with` starts it, before the reference is used.
            self.value.with(|slot| unsafe { (*slot).as_ref() })
        } else {
            None
        }
    }
}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Self::new()
    }
}

// ANCHOR: model
// Continued from the previous part.
/// One writer, one reader that reads the value if the flag says it is ready.
fn reader_sees_the_flag() {
    let slot = Arc::new(Slot::new());
    let writer = {
        let slot = Arc::clone(&slot);
        thread::spawn(move || slot.publish(vec![1, 2, 3]))
    };
    if let Some(value) = slot.get() {
        assert_eq!(value.len(), 3);
    }
    writer.join().unwrap();
}
// ANCHOR_END: model

fn main() -> ExitCode {
    // loom reports a bug by panicking. Keep its message; silence the default
    // report, which would print a path inside loom's source.
    panic::set_hook(Box::new(|_| {}));
    let finding = panic::catch_unwind(|| loom::model(reader_sees_the_flag));
    let _ = panic::take_hook();
    match finding {
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("(a panic without a message)");
            println!("check: loom found a bug: {}", message.trim());
            ExitCode::SUCCESS
        }
        Ok(()) => {
            // This listing exists to show the bug being found.
            println!("check: loom found nothing wrong in the interleavings it explores");
            ExitCode::FAILURE
        }
    }
}
