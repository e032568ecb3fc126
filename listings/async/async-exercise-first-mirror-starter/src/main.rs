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
    println!(
        "took {} ms (goal: about 50 ms)",
        start.elapsed().as_millis()
    );
}
// ANCHOR_END: all
