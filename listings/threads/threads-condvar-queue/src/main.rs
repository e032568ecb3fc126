// ANCHOR: queue
use std::collections::VecDeque;
use std::sync::{Condvar, Mutex};
use std::thread;
use std::time::Duration;

/// Step 1: a queue that workers can wait on. No capacity limit yet.
struct JobQueue<T> {
    state: Mutex<State<T>>,
    /// Signalled when a job arrives or the queue closes.
    changed: Condvar,
}

struct State<T> {
    jobs: VecDeque<T>,
    closed: bool,
}

impl<T> JobQueue<T> {
    fn new() -> Self {
        JobQueue {
            state: Mutex::new(State {
                jobs: VecDeque::new(),
                closed: false,
            }),
            changed: Condvar::new(),
        }
    }

    fn push(&self, job: T) {
        self.state.lock().unwrap().jobs.push_back(job);
        // Wake one waiting worker, if any: one job, one worker.
        self.changed.notify_one();
    }

    /// No more jobs will come: wake every worker so each can see it.
    fn close(&self) {
        self.state.lock().unwrap().closed = true;
        self.changed.notify_all();
    }
    // ANCHOR_END: queue

    // ANCHOR: pop
    // Continued from the previous part.
    /// The next job, waiting for one if needed; None once the queue is
    /// closed and empty.
    fn pop(&self) -> Option<T> {
        let mut state = self.state.lock().unwrap();
        loop {
            if let Some(job) = state.jobs.pop_front() {
                return Some(job);
            }
            if state.closed {
                return None;
            }
            // wait() unlocks the mutex, sleeps until notified, and locks it
            // again before it returns. It may also return with no
            // notification (a spurious wakeup): the loop checks again.
            state = self.changed.wait(state).unwrap();
        }
    }
}
// ANCHOR_END: pop

// ANCHOR: main
fn main() {
    // Continued from the previous part.
    let queue = JobQueue::new();
    let mut done: Vec<String> = thread::scope(|scope| {
        let workers: Vec<_> = (1..=2)
            .map(|worker| {
                let queue = &queue;
                scope.spawn(move || {
                    let mut done = Vec::new();
                    while let Some(invoice) = queue.pop() {
                        // Simulate the work of processing one invoice.
                        thread::sleep(Duration::from_millis(10));
                        done.push(format!("invoice {invoice} (worker {worker})"));
                    }
                    done
                })
            })
            .collect();
        for invoice in 101..=105 {
            queue.push(invoice);
        }
        queue.close();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    // ANCHOR_END: main
    // Which worker took which invoice varies from run to run; sort by invoice
    // so that only the worker numbers vary.
    done.sort();
    println!("{} invoices processed:", done.len());
    for line in done {
        println!("  {line}");
    }
    // ANCHOR: main
}
// ANCHOR_END: main
