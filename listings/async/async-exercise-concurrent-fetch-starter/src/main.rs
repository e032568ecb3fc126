use std::time::{Duration, Instant};

/// How long the simulated price service takes to answer.
const FETCH_TIME: Duration = Duration::from_millis(60);

/// A simulated price service: every answer takes 60 ms.
async fn fetch_price(symbol: &str) -> u32 {
    tokio::time::sleep(FETCH_TIME).await;
    symbol.bytes().map(u32::from).sum()
}

// ANCHOR: all
#[tokio::main]
async fn main() {
    let symbols = ["ACME", "GLOBEX", "INITECH", "UMBRELLA", "HOOLI"];
    let start = Instant::now();

    // TODO: fetch the five prices concurrently. The output must stay in the
    // order of `symbols`.
    let mut prices = Vec::new();
    for symbol in symbols {
        prices.push((symbol, fetch_price(symbol).await));
    }

    println!("{prices:?}");
    report(start.elapsed(), symbols.len() as u32);
}
// ANCHOR_END: all

/// Prints the time taken, and whether the fetches overlapped: one after
/// another, they need `fetches` times FETCH_TIME.
fn report(elapsed: Duration, fetches: u32) {
    let one_by_one = FETCH_TIME * fetches;
    println!(
        "took {} ms (goal: about {} ms)",
        elapsed.as_millis(),
        FETCH_TIME.as_millis()
    );
    if elapsed < one_by_one / 2 {
        println!(
            "concurrent: under {} ms. One fetch after another takes {} ms.",
            (one_by_one / 2).as_millis(),
            one_by_one.as_millis()
        );
    } else {
        println!(
            "NOT concurrent: {} ms or more. One fetch after another takes {} ms.",
            (one_by_one / 2).as_millis(),
            one_by_one.as_millis()
        );
    }
}
