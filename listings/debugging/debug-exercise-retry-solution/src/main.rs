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

// ANCHOR: main
// The service's own schedule, on a clock that jumps to the next timer
// whenever every task waits. A paused clock needs the single-threaded
// runtime, so the attribute names that flavour too.
#[tokio::main(flavor = "current_thread", start_paused = true)]
async fn main() {
    let first_wait = Duration::from_secs(1);
    let real_start = std::time::Instant::now();
    let (result, attempts) = check(first_wait).await;
    let real_time = real_start.elapsed();
    println!("result: {result:?}");
    println!("attempts at (ms, paused clock, 1 s first wait): {attempts:?}");
    println!("real time taken: {}", under_a_second(real_time));
}
// ANCHOR_END: main

/// Says "under a second", and stops the program if 7 s of waits took that
/// long: then the clock was not paused.
fn under_a_second(real_time: Duration) -> &'static str {
    if real_time >= Duration::from_secs(1) {
        eprintln!("7 s of waits took {real_time:?} of real time: the clock was not paused");
        std::process::exit(1);
    }
    "under a second"
}

// ANCHOR: test
#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn retries_at_1_2_and_4_seconds() {
        let (result, attempts) = check(Duration::from_secs(1)).await;
        assert_eq!(result, Ok("reply"));
        assert_eq!(attempts, [0, 1000, 3000, 7000]);
    }
}
// ANCHOR_END: test
