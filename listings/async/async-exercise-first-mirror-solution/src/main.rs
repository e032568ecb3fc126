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

    // The first branch to finish wins; select! drops the two others, which
    // cancels their downloads where they stand.
    let answer = tokio::select! {
        notes = download("eu", 300) => notes,
        notes = download("us", 50) => notes,
        notes = download("asia", 200) => notes,
    };

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
