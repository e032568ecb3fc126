// ANCHOR: all
use std::time::Duration;

use futures::future::{join_all, try_join_all};
use tokio::time::sleep;

/// Pretends to ask a supplier for a price: acme answers after 60 ms,
/// initech after 20 ms, and any other name is an error at once.
async fn fetch_quote(supplier: &str) -> Result<u32, String> {
    let (latency_ms, cents) = match supplier {
        "acme" => (60, 1299),
        "initech" => (20, 1199),
        _ => return Err(format!("no supplier named {supplier}")),
    };
    sleep(Duration::from_millis(latency_ms)).await;
    Ok(cents)
}

#[tokio::main]
async fn main() {
    let suppliers = ["acme", "initech"];
    // await asyncio.gather(*coros): every output, in the order of the list,
    // although initech answered first.
    let quotes = join_all(suppliers.map(fetch_quote)).await;
    println!("join_all:     {quotes:?}");

    // try_join_all: all the values, or the first error, which drops the rest.
    let quotes = try_join_all(suppliers.map(fetch_quote)).await;
    println!("try_join_all: {quotes:?}");
    let quotes = try_join_all(["acme", "globex", "initech"].map(fetch_quote)).await;
    println!("try_join_all: {quotes:?}");
}
// ANCHOR_END: all
