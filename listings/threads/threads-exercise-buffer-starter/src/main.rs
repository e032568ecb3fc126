use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::Duration;

const CAPACITY: usize = 2;
const ITEMS: u32 = 6;

// ANCHOR: buffer
struct Buffer {
    state: Mutex<State>,
    /// Notified when an item arrives or the buffer closes.
    not_empty: Condvar,
    /// Meant to be notified when an item leaves.
    not_full: Condvar,
}

struct State {
    items: VecDeque<u32>,
    closed: bool,
}

/// `pop` waited its whole patience and nothing came.
struct Stalled;

impl Buffer {
    fn new() -> Self {
        Buffer {
            state: Mutex::new(State {
                items: VecDeque::new(),
                closed: false,
            }),
            not_empty: Condvar::new(),
            not_full: Condvar::new(),
        }
    }
}
// ANCHOR_END: buffer

// ANCHOR: ops
// Continued from the previous part.
impl Buffer {
    /// Adds an item, waiting while the buffer is full.
    fn push(&self, item: u32) {
        let state = self.state.lock().unwrap();
        // ANCHOR_END: ops
        if state.items.len() == CAPACITY {
            announce_producer_waits();
        }
        // ANCHOR: ops
        let mut state = self
            .not_full
            .wait_while(state, |s| s.items.len() == CAPACITY)
            .unwrap();
        state.items.push_back(item);
        self.not_empty.notify_one();
    }

    fn close(&self) {
        self.state.lock().unwrap().closed = true;
        self.not_empty.notify_all();
    }

    /// The next item, `None` once the buffer is closed and empty, or
    /// `Err(Stalled)` if nothing came for `patience`.
    fn pop(&self, patience: Duration) -> Result<Option<u32>, Stalled> {
        let state = self.state.lock().unwrap();
        let (mut state, wait) = self
            .not_empty
            .wait_timeout_while(state, patience, |s| s.items.is_empty() && !s.closed)
            .unwrap();
        if wait.timed_out() {
            return Err(Stalled);
        }
        // TODO: the buffer stalls. Who is waiting for what, and who tells them?
        Ok(state.items.pop_front())
    }
}
// ANCHOR_END: ops

/// For the demonstration only: set and announced when `push` finds the
/// buffer full, so that `main` starts the consumer at that moment. It has a
/// Mutex and a Condvar of its own, so it never wakes the buffer's waiters.
static PRODUCER_WAITS: (Mutex<bool>, Condvar) = (Mutex::new(false), Condvar::new());

/// Tells `main` that the producer is about to wait for room.
fn announce_producer_waits() {
    let (waits, announced) = &PRODUCER_WAITS;
    *waits.lock().unwrap() = true;
    announced.notify_all();
}

/// Waits until the producer has found the buffer full.
fn wait_for_full_buffer() {
    let (waits, announced) = &PRODUCER_WAITS;
    let _waits = announced
        .wait_while(waits.lock().unwrap(), |waits| !*waits)
        .unwrap();
}

fn main() {
    let buffer = Arc::new(Buffer::new());
    let producer = {
        let buffer = Arc::clone(&buffer);
        thread::spawn(move || {
            for item in 1..=ITEMS {
                buffer.push(item);
            }
            buffer.close();
        })
    };
    // The consumer starts late: only once the producer waits for room.
    wait_for_full_buffer();
    let mut received = Vec::new();
    loop {
        match buffer.pop(Duration::from_secs(1)) {
            Ok(Some(item)) => received.push(item),
            Ok(None) => break,
            Err(Stalled) => {
                println!("check: stalled: nothing arrived for 1 s");
                break;
            }
        }
    }
    println!("check: received {received:?} of {ITEMS} items");
    if received.len() == ITEMS as usize {
        producer.join().unwrap();
    } else {
        // The producer is stuck in `push`; returning from main ends it.
        println!(
            "check: the producer is still waiting for room: {}",
            !producer.is_finished()
        );
    }
}
