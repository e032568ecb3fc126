use std::time::Duration;

use tokio::time::{Instant, sleep};

// ANCHOR: all
// Three simulated backend calls for one web page.
async fn fetch_profile(user: u32) -> Result<String, String> {
    sleep(Duration::from_millis(80)).await;
    Ok(format!("user {user}"))
}

async fn fetch_orders(user: u32) -> Result<Vec<u32>, String> {
    sleep(Duration::from_millis(120)).await;
    Ok(vec![user * 100 + 1, user * 100 + 2])
}

async fn fetch_recommendations(_user: u32) -> Result<Vec<String>, String> {
    sleep(Duration::from_millis(30)).await;
    Err("recommendations: service unavailable".to_owned())
}

// On the paused clock, the times printed are the sleeps' own.
#[tokio::main(flavor = "current_thread", start_paused = true)]
async fn main() {
    // join!: all three run at once; the page waits for the slowest.
    let start = Instant::now();
    let (profile, orders, recommendations) =
        tokio::join!(fetch_profile(7), fetch_orders(7), fetch_recommendations(7));
    println!("join!     -> {profile:?} {orders:?} {recommendations:?}");
    println!(
        "join!     took {} ms (slowest call: 120 ms)",
        start.elapsed().as_millis()
    );
    // ANCHOR_END: all
    println!("check: join! {}", join_verdict(start.elapsed()));
    // ANCHOR: all

    // try_join!: the first Err ends it; the calls still running are dropped.
    let start = Instant::now();
    let page = tokio::try_join!(fetch_profile(7), fetch_orders(7), fetch_recommendations(7));
    println!("try_join! -> {page:?}");
    println!(
        "try_join! took {} ms (failing call: 30 ms)",
        start.elapsed().as_millis()
    );
    // ANCHOR_END: all
    println!("check: try_join! {}", try_join_verdict(start.elapsed()));
    // ANCHOR: all
}
// ANCHOR_END: all

/// Whether join! ran the three calls at once: one after another they take
/// 80 + 120 + 30 = 230 ms.
fn join_verdict(elapsed: Duration) -> &'static str {
    if elapsed < Duration::from_millis(230) {
        "ran the calls at once: less than their 230 ms sum"
    } else {
        "did NOT overlap the calls: 230 ms or more"
    }
}

/// Whether try_join! returned at the error, without waiting for the next
/// call to finish (the profile, at 80 ms).
fn try_join_verdict(elapsed: Duration) -> &'static str {
    if elapsed < Duration::from_millis(80) {
        "returned at the error: before the profile call would have, at 80 ms"
    } else {
        "WAITED past the error: 80 ms or more"
    }
}
