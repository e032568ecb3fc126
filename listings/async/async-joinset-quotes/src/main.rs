use std::time::Duration;

use tokio::task::JoinSet;

// ANCHOR: all
/// Pretends to ask a supplier for a price over the network.
async fn fetch_quote(supplier: &'static str, latency_ms: u64, cents: u32) -> (&'static str, u32) {
    tokio::time::sleep(Duration::from_millis(latency_ms)).await;
    (supplier, cents)
}

#[tokio::main(flavor = "current_thread", start_paused = true)]
async fn main() {
    let mut quotes = JoinSet::new();
    for (supplier, latency_ms, cents) in [
        ("acme", 60, 1299),
        ("globex", 20, 1349),
        ("initech", 40, 1199),
    ] {
        quotes.spawn(fetch_quote(supplier, latency_ms, cents));
    }

    // join_next hands back each task's result as soon as it finishes.
    let mut best: Option<(&str, u32)> = None;
    while let Some(result) = quotes.join_next().await {
        let (supplier, cents) = result.expect("a quote task panicked");
        println!("quote from {supplier}: {cents} cents");
        if best.is_none_or(|(_, best_cents)| cents < best_cents) {
            best = Some((supplier, cents));
        }
    }
    if let Some((supplier, cents)) = best {
        println!("best offer: {supplier} at {cents} cents");
    }
}
// ANCHOR_END: all
