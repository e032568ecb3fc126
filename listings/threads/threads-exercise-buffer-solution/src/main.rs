use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::Duration;

const CAPACITY: usize = 2;
const ITEMS: u32 = 6;

struct Buffer {
    state: Mutex<State>,
    /// Notified when an item arrives or the buffer closes.
    not_empty: Condvar,
    /// Notified when an item leaves.
    not_full: Condvar,
}

struct State {
    items: VecDeque<u32>,
    closed: bool,
    /// Set when `push` first finds the buffer full.
    producer_waited: bool,
}

/// `pop` waited its whole patience and nothing came.
struct Stalled;

impl Buffer {
    fn new() -> Self {
        Buffer {
            state: Mutex::new(State {
                items: VecDeque::new(),
                closed: false,
                producer_waited: false,
            }),
            not_empty: Condvar::new(),
            not_full: Condvar::new(),
        }
    }
}

// ANCHOR: ops
impl Buffer {
    /// Adds an item, waiting while the buffer is full.
    fn push(&self, item: u32) {
        let mut state = self.state.lock().unwrap();
        if state.items.len() == CAPACITY {
            state.producer_waited = true;
            self.not_empty.notify_all();
        }
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
        let item = state.items.pop_front();
        if item.is_some() {
            // The producer may be waiting in `push` for exactly this room.
            self.not_full.notify_one();
        }
        Ok(item)
    }
}
// ANCHOR_END: ops

impl Buffer {
    /// Waits until the producer has found the buffer full (or closed it).
    fn wait_for_full_buffer(&self) {
        let state = self.state.lock().unwrap();
        let _full = self
            .not_empty
            .wait_while(state, |s| !s.producer_waited && !s.closed)
            .unwrap();
    }
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
    buffer.wait_for_full_buffer();
    let mut received = Vec::new();
    loop {
        match buffer.pop(Duration::from_secs(1)) {
            Ok(Some(item)) => received.push(item),
            Ok(None) => break,
            Err(Stalled) => {
                println!("stalled: nothing arrived for 1 s");
                break;
            }
        }
    }
    println!("received {received:?} of {ITEMS} items");
    if received.len() == ITEMS as usize {
        producer.join().unwrap();
    } else {
        // The producer is stuck in `push`; returning from main ends it.
        println!(
            "the producer is still waiting for room: {}",
            !producer.is_finished()
        );
    }
}
