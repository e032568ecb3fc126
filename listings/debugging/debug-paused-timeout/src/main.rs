use std::time::Duration;
use tokio::sync::oneshot;
use tokio::time::{self, Instant};

// ANCHOR: code
/// How long a client waits for a reply before giving up.
const REPLY_TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// The code under test: wait for a reply, but not for ever.
async fn wait_for_reply(reply: oneshot::Receiver<String>) -> Result<String, String> {
    match time::timeout(REPLY_TIMEOUT, reply).await {
        Ok(Ok(text)) => Ok(text),
        Ok(Err(_)) => Err("the server went away".to_string()),
        Err(_) => Err(format!("no reply after {} s", REPLY_TIMEOUT.as_secs())),
    }
}
// ANCHOR_END: code

// ANCHOR: check
/// The check: a server that never answers (its sender is kept, never used)
/// makes the client give up after the full timeout, in tokio's time.
async fn gives_up_after_the_timeout() -> Duration {
    let (_never_answers, reply) = oneshot::channel::<String>();
    let started = Instant::now(); // tokio's clock, which is paused
    let result = wait_for_reply(reply).await;
    assert_eq!(result, Err("no reply after 600 s".to_string()));
    let waited = started.elapsed();
    assert!(waited >= REPLY_TIMEOUT, "gave up early, after {waited:?}");
    waited
}
// ANCHOR_END: check

// ANCHOR: main
#[tokio::main(flavor = "current_thread", start_paused = true)]
async fn main() {
    let wall = std::time::Instant::now(); // the real clock, never paused
    let waited = gives_up_after_the_timeout().await;
    println!(
        "the client gave up after {} s of tokio time",
        waited.as_secs()
    );
    println!(
        "the wall clock moved {:.1} ms",
        wall.elapsed().as_secs_f64() * 1000.0
    );
}
// ANCHOR_END: main

// ANCHOR: test
#[cfg(test)]
mod tests {
    #[tokio::test(start_paused = true)]
    async fn gives_up_after_the_timeout() {
        super::gives_up_after_the_timeout().await;
    }
}
// ANCHOR_END: test
