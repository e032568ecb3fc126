use std::time::{Duration, Instant};

use tokio::task::JoinSet;

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

    // One task per symbol; each returns its index so that the results can be
    // put back in order, whatever order they finish in.
    let mut fetches = JoinSet::new();
    for (index, symbol) in symbols.into_iter().enumerate() {
        fetches.spawn(async move { (index, symbol, fetch_price(symbol).await) });
    }
    let mut prices = vec![("", 0); symbols.len()];
    while let Some(fetched) = fetches.join_next().await {
        let (index, symbol, price) = fetched.expect("a fetch panicked");
        prices[index] = (symbol, price);
    }

    println!("{prices:?}");
    println!(
        "took {} ms (goal: about 60 ms)",
        start.elapsed().as_millis()
    );
}
// ANCHOR_END: all
