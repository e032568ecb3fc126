// The Timer of async-inside-timer, less the line its thread printed: here
// another task runs while the thread sleeps, and two threads printing would
// make the order of the lines vary from run to run.
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::Duration;

/// A future that is ready once `duration` has passed. A thread of its own
/// does the waiting and wakes the task when the time is up.
struct Timer {
    duration: Duration,
    shared: Arc<Mutex<Shared>>,
}

/// What the future and its thread both see.
#[derive(Default)]
struct Shared {
    polls: u32,
    started: bool,
    done: bool,
    waker: Option<Waker>,
}

impl Timer {
    fn after(duration: Duration) -> Timer {
        // Nothing starts here: like any future, a Timer is lazy.
        let shared = Arc::new(Mutex::new(Shared::default()));
        Timer { duration, shared }
    }
}

impl Future for Timer {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut shared = self.shared.lock().expect("the timer thread panicked");
        shared.polls += 1;
        if shared.done {
            println!("  timer, poll {}: time is up -> Ready", shared.polls);
            return Poll::Ready(());
        }
        // Keep the waker of this poll: it is the one that reaches the task
        // that polled last.
        shared.waker = Some(cx.waker().clone());
        if !shared.started {
            shared.started = true;
            start_thread(self.duration, Arc::clone(&self.shared));
        }
        println!(
            "  timer, poll {}: not yet, waker kept -> Pending",
            shared.polls
        );
        Poll::Pending
    }
}

fn start_thread(duration: Duration, shared: Arc<Mutex<Shared>>) {
    thread::spawn(move || {
        thread::sleep(duration);
        let waker = {
            let mut shared = shared.lock().expect("the task panicked");
            shared.done = true;
            shared.waker.take()
        };
        // Called after the lock is released: the task may be polled at once.
        if let Some(waker) = waker {
            waker.wake();
        }
    });
}

// ANCHOR: task
use std::sync::mpsc::{self, Receiver, Sender};
use std::task::Wake;

/// A future in a box, so that tasks of different types fit in one queue.
type BoxedFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A task: a future with a name, and the way back into the run queue.
struct Task {
    name: &'static str,
    // Only the executor's thread polls the future, but a waker may be sent
    // to another thread, so a Task must be Sync: hence the Mutex.
    future: Mutex<Option<BoxedFuture>>,
    queue: Sender<Arc<Task>>,
}

impl Wake for Task {
    fn wake(self: Arc<Self>) {
        // To wake a task is to put it back in the run queue. If the executor
        // has stopped, there is no one left to poll it: nothing to do.
        let _ = self.queue.send(Arc::clone(&self));
    }
}
// ANCHOR_END: task

// ANCHOR: executor
/// A single-threaded executor: a run queue of tasks, polled in turn.
struct Executor {
    sender: Sender<Arc<Task>>,
    queue: Receiver<Arc<Task>>,
}

impl Executor {
    fn new() -> Executor {
        let (sender, queue) = mpsc::channel();
        Executor { sender, queue }
    }

    /// Makes the future a task and puts it in the run queue. Nothing runs.
    fn spawn(&self, name: &'static str, future: impl Future<Output = ()> + Send + 'static) {
        let task = Arc::new(Task {
            name,
            future: Mutex::new(Some(Box::pin(future))),
            queue: self.sender.clone(),
        });
        self.sender
            .send(task)
            .expect("the executor holds the queue");
    }

    /// Polls the tasks in the order they arrive in the run queue.
    fn run(self) {
        drop(self.sender); // from now on, only the tasks hold senders
        // recv fails when no sender is left: every task has finished, or
        // nothing keeps a waker that could bring it back.
        while let Ok(task) = self.queue.recv() {
            println!("executor: poll {}", task.name);
            if poll_task(&task) == Some(Poll::Ready(())) {
                println!("executor: {} is done", task.name);
            }
        }
        println!("executor: no task left that could be woken");
    }
}
// ANCHOR_END: executor

// ANCHOR: poll-task
/// Polls a task's future once, with a waker that is the task itself.
/// None: the task had finished already.
fn poll_task(task: &Arc<Task>) -> Option<Poll<()>> {
    let mut slot = task.future.lock().expect("a task panicked");
    // A task woken twice is in the queue twice: once it has finished, its
    // future is gone and there is nothing to poll.
    let future = slot.as_mut()?;
    let waker = Waker::from(Arc::clone(task));
    let mut cx = Context::from_waker(&waker);
    let poll = future.as_mut().poll(&mut cx);
    if poll.is_ready() {
        *slot = None; // drops the future, and any waker it kept
    }
    Some(poll)
}
// ANCHOR_END: poll-task

// ANCHOR: main
/// A future that returns Pending once, after waking its own task: the task
/// goes to the back of the run queue, and the others get a turn.
struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            println!("  yield_now: -> Ready");
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        println!("  yield_now: woke its own task -> Pending");
        Poll::Pending
    }
}

fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// An async fn: the compiler writes its poll, which polls YieldNow's.
async fn count_to_two() {
    println!("  count: 1");
    yield_now().await;
    println!("  count: 2");
}

fn main() {
    let executor = Executor::new();
    executor.spawn("count", count_to_two());
    executor.spawn("timer", Timer::after(Duration::from_millis(50)));
    executor.run();
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
    use std::time::Instant;

    /// A future that counts how many times it is polled.
    struct Counted<F> {
        inner: Pin<Box<F>>,
        polls: Arc<AtomicUsize>,
    }

    impl<F: Future> Future for Counted<F> {
        type Output = F::Output;

        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
            self.polls.fetch_add(1, SeqCst);
            self.inner.as_mut().poll(cx)
        }
    }

    fn counted<F: Future>(future: F) -> (Counted<F>, Arc<AtomicUsize>) {
        let polls = Arc::new(AtomicUsize::new(0));
        let inner = Box::pin(future);
        let counted = Counted {
            inner,
            polls: Arc::clone(&polls),
        };
        (counted, polls)
    }

    /// Runs one future as the only task, and returns how often it was polled.
    fn polls_to_run(future: impl Future<Output = ()> + Send + 'static) -> usize {
        let (future, polls) = counted(future);
        let executor = Executor::new();
        executor.spawn("test", future);
        executor.run();
        polls.load(SeqCst)
    }

    #[test]
    fn a_future_that_is_ready_at_once_is_polled_once() {
        assert_eq!(polls_to_run(async {}), 1);
    }

    #[test]
    fn the_timer_is_polled_again_only_when_its_thread_wakes_it() {
        let wait = Duration::from_millis(20);
        let start = Instant::now();
        assert_eq!(polls_to_run(Timer::after(wait)), 2, "Pending, then Ready");
        assert!(start.elapsed() >= wait, "ready before its time");
    }

    #[test]
    fn an_async_fn_is_polled_once_per_pending_of_what_it_awaits() {
        assert_eq!(polls_to_run(count_to_two()), 2);
        let two_timers = async {
            Timer::after(Duration::from_millis(1)).await;
            Timer::after(Duration::from_millis(1)).await;
        };
        assert_eq!(polls_to_run(two_timers), 3);
    }

    #[test]
    fn tasks_take_turns_in_the_order_of_the_run_queue() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let executor = Executor::new();
        for name in ["a", "b"] {
            let log = Arc::clone(&log);
            executor.spawn(name, async move {
                log.lock().unwrap().push(format!("{name}1"));
                yield_now().await;
                log.lock().unwrap().push(format!("{name}2"));
            });
        }
        executor.run();
        assert_eq!(*log.lock().unwrap(), ["a1", "b1", "a2", "b2"]);
    }

    /// Pending for ever, and keeps no waker: nothing can wake it again.
    struct Forgotten(Arc<AtomicBool>);

    impl Future for Forgotten {
        type Output = ();

        fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
            Poll::Pending
        }
    }

    impl Drop for Forgotten {
        fn drop(&mut self) {
            self.0.store(true, SeqCst);
        }
    }

    #[test]
    fn a_task_nothing_can_wake_is_polled_once_then_dropped() {
        let dropped = Arc::new(AtomicBool::new(false));
        assert_eq!(polls_to_run(Forgotten(Arc::clone(&dropped))), 1);
        assert!(dropped.load(SeqCst), "run returned, the future still alive");
    }

    /// Wakes its task twice in its first poll, and is ready at the second.
    struct WakesTwice(bool);

    impl Future for WakesTwice {
        type Output = ();

        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            if self.0 {
                return Poll::Ready(());
            }
            self.0 = true;
            cx.waker().wake_by_ref();
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }

    #[test]
    fn a_task_woken_twice_is_not_polled_after_it_finished() {
        assert_eq!(polls_to_run(WakesTwice(false)), 2);
    }
}
