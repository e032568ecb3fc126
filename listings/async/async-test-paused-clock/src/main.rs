use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use tokio::runtime::Builder;
use tokio::sync::mpsc;
use tokio::task::block_in_place;
use tokio::time::{Instant, advance, error::Elapsed, timeout};

// ANCHOR: code
const IDLE_TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// The code under test: a session waits for the client's next message,
/// and gives up after ten minutes of silence.
async fn next_message(inbox: &mut mpsc::Receiver<String>) -> Result<Option<String>, Elapsed> {
    timeout(IDLE_TIMEOUT, inbox.recv()).await
}
// ANCHOR_END: code

// ANCHOR: tests
/// A silent client: the session must give up after exactly ten minutes.
async fn silent_client_times_out_after_ten_minutes() {
    let (_client, mut inbox) = mpsc::channel::<String>(1);
    let start = Instant::now(); // tokio's clock, which the test controls
    assert!(next_message(&mut inbox).await.is_err(), "no timeout");
    assert_eq!(start.elapsed(), IDLE_TIMEOUT);
}

/// A client that speaks after 9 minutes 59 seconds is still served.
async fn message_just_in_time_is_received() {
    let (client, mut inbox) = mpsc::channel(1);
    tokio::spawn(async move {
        tokio::time::sleep(IDLE_TIMEOUT - Duration::from_secs(1)).await;
        client.send("PRICE ACME".to_owned()).await
    });
    let message = next_message(&mut inbox).await.expect("timed out");
    assert_eq!(message.as_deref(), Some("PRICE ACME"));
}

/// The clock moved by hand, and the session polled by hand: still waiting
/// one second before the deadline, given up at it.
async fn advance_steps_up_to_the_deadline() {
    let (_client, mut inbox) = mpsc::channel::<String>(1);
    let session = next_message(&mut inbox);
    tokio::pin!(session);
    assert!(poll_once(&mut session).await.is_pending()); // starts the wait
    advance(IDLE_TIMEOUT - Duration::from_secs(1)).await;
    let early = poll_once(&mut session).await;
    assert!(early.is_pending(), "gave up a second early");
    advance(Duration::from_secs(1)).await;
    let outcome = poll_once(&mut session).await;
    assert!(
        matches!(outcome, Poll::Ready(Err(_))),
        "no timeout: {outcome:?}"
    );
}

/// Polls a future once, as the runtime would, and returns its answer.
async fn poll_once<F: Future + Unpin>(future: &mut F) -> Poll<F::Output> {
    poll_fn(|context| Poll::Ready(Pin::new(&mut *future).poll(context))).await
}

/// block_in_place hands this worker's other tasks to another worker, so it
/// needs the multi-thread runtime (on current_thread it panics). No paused
/// clock here: a paused clock needs current_thread.
async fn block_in_place_on_multi_thread() {
    let total = block_in_place(|| (1..=100u32).sum::<u32>()); // sync work
    assert_eq!(total, 5050);
}
// ANCHOR_END: tests

/// Runs one test body the way #[tokio::test(start_paused = true)] does: on
/// a new current_thread runtime whose clock is paused.
fn run(name: &str, test: impl Future<Output = ()>) -> std::io::Result<()> {
    let runtime = Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()?;
    let tokio_time = runtime.block_on(async {
        let start = Instant::now();
        test.await;
        start.elapsed()
    });
    println!(
        "test {name} ... ok ({} s of tokio time)",
        tokio_time.as_secs()
    );
    Ok(())
}

/// Runs one test body the way #[tokio::test(flavor = "multi_thread")] does.
fn run_multi_thread(name: &str, test: impl Future<Output = ()>) -> std::io::Result<()> {
    let runtime = Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(test);
    println!("test {name} ... ok (multi-thread runtime)");
    Ok(())
}

fn main() -> std::io::Result<()> {
    run(
        "silent_client_times_out_after_ten_minutes",
        silent_client_times_out_after_ten_minutes(),
    )?;
    run(
        "message_just_in_time_is_received",
        message_just_in_time_is_received(),
    )?;
    run(
        "advance_steps_up_to_the_deadline",
        advance_steps_up_to_the_deadline(),
    )?;
    run_multi_thread(
        "block_in_place_on_multi_thread",
        block_in_place_on_multi_thread(),
    )?;
    Ok(())
}

// ANCHOR: attribute
#[cfg(test)]
mod tests {
    // `cargo test -p async-test-paused-clock` runs these. start_paused
    // needs tokio's `test-util` feature and a current_thread runtime, which
    // is #[tokio::test]'s default.
    #[tokio::test(start_paused = true)]
    async fn silent_client_times_out_after_ten_minutes() {
        super::silent_client_times_out_after_ten_minutes().await;
    }

    #[tokio::test(start_paused = true)]
    async fn message_just_in_time_is_received() {
        super::message_just_in_time_is_received().await;
    }

    #[tokio::test(start_paused = true)]
    async fn advance_steps_up_to_the_deadline() {
        super::advance_steps_up_to_the_deadline().await;
    }

    // block_in_place panics on #[tokio::test]'s default current_thread
    // runtime: ask for the multi-thread one.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn block_in_place_on_multi_thread() {
        super::block_in_place_on_multi_thread().await;
    }
}
// ANCHOR_END: attribute
