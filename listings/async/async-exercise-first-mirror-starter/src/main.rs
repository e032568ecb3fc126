use std::time::{Duration, Instant};

/// Downloads the release notes from a mirror; mirrors differ in speed.
async fn download(mirror: &'static str, millis: u64) -> String {
    tokio::time::sleep(Duration::from_millis(millis)).await;
    format!("release notes from {mirror}")
}

// ANCHOR: all
#[tokio::main]
async fn main() {
    let start = Instant::now();

    // TODO: any one answer is enough. Take the first and cancel the others.
    let (eu, us, asia) = tokio::join!(
        download("eu", 300),
        download("us", 50),
        download("asia", 200),
    );
    let answer = [eu, us, asia].into_iter().next().expect("three answers");

    println!("{answer}");
    report(start.elapsed());
}
// ANCHOR_END: all

/// Prints the time taken, and whether main waited for a slower mirror: the
/// second fastest takes 200 ms.
fn report(elapsed: Duration) {
    println!("took {} ms (goal: about 50 ms)", elapsed.as_millis());
    if elapsed < Duration::from_millis(200) {
        println!("did not wait for the slower mirrors (under 200 ms)");
    } else {
        println!("WAITED for a slower mirror (200 ms or more)");
    }
}
