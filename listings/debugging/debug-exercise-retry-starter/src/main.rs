// ANCHOR: all
use std::time::Duration;
use tokio::time::{self, Instant};

/// Calls `attempt` until it succeeds, at most `tries` times. After a
/// failure it waits `first_wait`, then twice as long after each further one.
async fn retry<T, E, F, Fut>(tries: u32, first_wait: Duration, mut attempt: F) -> Result<T, E>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut wait = first_wait;
    let mut tried = 1;
    loop {
        match attempt().await {
            Err(_) if tried < tries => {
                time::sleep(wait).await;
                wait *= 2;
                tried += 1;
            }
            result => return result,
        }
    }
}

/// A server that fails three times, then answers. It notes, in ms since
/// `start`, when each attempt reached it.
async fn check(first_wait: Duration) -> (Result<&'static str, &'static str>, Vec<u128>) {
    let start = Instant::now();
    let mut attempts = Vec::new();
    let result = retry(4, first_wait, || {
        attempts.push(start.elapsed().as_millis());
        let failed = attempts.len() < 4;
        async move { if failed { Err("busy") } else { Ok("reply") } }
    })
    .await;
    (result, attempts)
}

#[tokio::main]
async fn main() {
    // The service waits 1 s first. To keep the check quick, it is run
    // with 10 ms instead: quick, but it checks another schedule.
    let (result, attempts) = check(Duration::from_millis(10)).await;
    println!("result: {result:?}");
    println!("attempts at (ms, real clock, 10 ms first wait): {attempts:?}");
    println!("the service's schedule, 1 s first wait: not checked");
}
// ANCHOR_END: all
