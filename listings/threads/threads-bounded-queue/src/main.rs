use std::collections::VecDeque;
use std::thread;
use std::time::Duration;

// std's Mutex and Condvar, or loom's under `--cfg loom` (see the Testing
// concurrent code chapter): the loom test at the end checks every interleaving.
use sync::{Condvar, Mutex};

// ANCHOR: queue
/// Step 2: the queue holds at most `capacity` jobs. A producer that finds it
/// full waits: that is backpressure.
struct BoundedQueue<T> {
    state: Mutex<State<T>>,
    capacity: usize,
    /// Signalled when a job arrives or the queue closes.
    not_empty: Condvar,
    /// Signalled when a job leaves.
    not_full: Condvar,
}
// ANCHOR_END: queue

/// Step 1's state, and two counters for the demonstration.
struct State<T> {
    jobs: VecDeque<T>,
    closed: bool,
    /// For the demonstration: how often a producer had to wait.
    producer_waits: usize,
    longest: usize,
}

impl<T> BoundedQueue<T> {
    fn new(capacity: usize) -> Self {
        BoundedQueue {
            state: Mutex::new(State {
                jobs: VecDeque::new(),
                closed: false,
                producer_waits: 0,
                longest: 0,
            }),
            capacity,
            not_empty: Condvar::new(),
            not_full: Condvar::new(),
        }
    }
}

// ANCHOR: push-pop
impl<T> BoundedQueue<T> {
    fn push(&self, job: T) {
        let mut state = self.state.lock().unwrap();
        // ANCHOR_END: push-pop
        if state.jobs.len() == self.capacity {
            state.producer_waits += 1;
        }
        // ANCHOR: push-pop
        // wait_while is the loop of step 1, written for us: it waits for as
        // long as the condition holds, spurious wakeups included.
        state = self
            .not_full
            .wait_while(state, |s| s.jobs.len() == self.capacity)
            .unwrap();
        state.jobs.push_back(job);
        // ANCHOR_END: push-pop
        state.longest = state.longest.max(state.jobs.len());
        // ANCHOR: push-pop
        self.not_empty.notify_one();
    }

    fn close(&self) {
        self.state.lock().unwrap().closed = true;
        self.not_empty.notify_all();
    }

    fn pop(&self) -> Option<T> {
        let state = self.state.lock().unwrap();
        let mut state = self
            .not_empty
            .wait_while(state, |s| s.jobs.is_empty() && !s.closed)
            .unwrap();
        let job = state.jobs.pop_front();
        if job.is_some() {
            // Room for one more: wake a producer that waits for it.
            self.not_full.notify_one();
        }
        job
    }
}
// ANCHOR_END: push-pop

// ANCHOR: main
fn main() {
    // Continued from the previous part.
    let queue = BoundedQueue::new(3);
    let printed = thread::scope(|scope| {
        let printer = scope.spawn(|| {
            let mut printed = 0;
            while let Some(_page) = queue.pop() {
                // Simulate a slow printer.
                thread::sleep(Duration::from_millis(5));
                printed += 1;
            }
            printed
        });
        // The producer is much faster than the printer.
        for page in 1..=20 {
            queue.push(page);
        }
        queue.close();
        printer.join().unwrap()
    });
    let state = queue.state.lock().unwrap();
    println!("pages printed: {printed}");
    println!(
        "most pages ever queued: {} (capacity {})",
        state.longest, queue.capacity
    );
    println!("the producer had to wait: {}", state.producer_waits > 0);
}
// ANCHOR_END: main

#[cfg(not(loom))]
mod sync {
    pub use std::sync::{Condvar, Mutex};
}

#[cfg(loom)]
mod sync {
    pub use loom::sync::{Mutex, MutexGuard};
    use std::sync::LockResult;

    /// loom's Condvar, with the `wait_while` of std's written as the loop
    /// it stands for.
    pub struct Condvar(loom::sync::Condvar);

    impl Condvar {
        pub fn new() -> Self {
            Condvar(loom::sync::Condvar::new())
        }

        pub fn wait_while<'a, T>(
            &self,
            mut guard: MutexGuard<'a, T>,
            mut condition: impl FnMut(&mut T) -> bool,
        ) -> LockResult<MutexGuard<'a, T>> {
            while condition(&mut *guard) {
                guard = self.0.wait(guard)?;
            }
            Ok(guard)
        }

        pub fn notify_one(&self) {
            self.0.notify_one();
        }

        pub fn notify_all(&self) {
            self.0.notify_all();
        }
    }
}

/// `RUSTFLAGS="--cfg loom" cargo test -p threads-bounded-queue --release`
#[cfg(all(test, loom))]
mod model {
    use super::BoundedQueue;
    use loom::sync::Arc;
    use loom::thread;

    #[test]
    fn every_job_arrives_once_in_order_and_nobody_waits_forever() {
        loom::model(|| {
            let queue = Arc::new(BoundedQueue::new(1));
            let consumer = {
                let queue = Arc::clone(&queue);
                thread::spawn(move || {
                    let mut received = Vec::new();
                    while let Some(job) = queue.pop() {
                        received.push(job);
                    }
                    received
                })
            };
            // Capacity 1 and two jobs: the producer must wait for the consumer.
            queue.push(1);
            queue.push(2);
            queue.close();
            assert_eq!(consumer.join().unwrap(), vec![1, 2]);
        });
    }
}
