use std::time::{Duration, Instant};

/// A simulated price service: every answer takes 60 ms.
async fn fetch_price(symbol: &str) -> u32 {
    tokio::time::sleep(Duration::from_millis(60)).await;
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
    println!(
        "took {} ms (goal: about 60 ms)",
        start.elapsed().as_millis()
    );
}
// ANCHOR_END: all
