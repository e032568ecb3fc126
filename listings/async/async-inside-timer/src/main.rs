// ANCHOR: timer
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
// ANCHOR_END: timer

// ANCHOR: poll
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
// ANCHOR_END: poll

// ANCHOR: thread
fn start_thread(duration: Duration, shared: Arc<Mutex<Shared>>) {
    thread::spawn(move || {
        thread::sleep(duration);
        let waker = {
            let mut shared = shared.lock().expect("the task panicked");
            shared.done = true;
            shared.waker.take()
        };
        println!(
            "timer thread: {} ms passed, calling wake()",
            duration.as_millis()
        );
        // Called after the lock is released: the task may be polled at once.
        if let Some(waker) = waker {
            waker.wake();
        }
    });
}
// ANCHOR_END: thread

// ANCHOR: main
#[tokio::main(flavor = "current_thread")]
async fn main() {
    println!("main: awaiting a timer");
    Timer::after(Duration::from_millis(50)).await;
    println!("main: the timer is done");
}
// ANCHOR_END: main
