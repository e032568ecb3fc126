use std::time::Duration;

use futures::stream::{self, Stream, StreamExt};
use tokio::time::{Instant, sleep};

// ANCHOR: generator
/// One page of a paginated API: some order numbers and the next cursor.
struct Page {
    orders: Vec<u32>,
    next: Option<u32>,
}

/// The API: three pages of orders, 10 ms each.
async fn fetch_page(cursor: u32) -> Page {
    sleep(Duration::from_millis(10)).await;
    let first = cursor * 10;
    Page {
        orders: (first..first + 3).collect(),
        next: (cursor < 2).then_some(cursor + 1),
    }
}

/// Python: `async def all_orders(): ... yield order` over every page.
/// `unfold` keeps a state (the next cursor) and an async step that returns
/// the next item and the new state, or None to end the stream.
fn all_orders() -> impl Stream<Item = u32> {
    stream::unfold(Some(0), |cursor| async move {
        let page = fetch_page(cursor?).await; // `?`: no cursor, no more pages
        Some((stream::iter(page.orders), page.next))
    })
    .flatten() // a stream of pages' orders -> a stream of orders
}
// ANCHOR_END: generator

// ANCHOR: async_for
/// Python: `async for order in all_orders(): every.append(order)`
async fn every_order() -> Vec<u32> {
    let orders = all_orders();
    tokio::pin!(orders); // `next` needs the stream pinned (see the text)
    let mut every = Vec::new();
    while let Some(order) = orders.next().await {
        every.push(order);
    }
    every
}
// ANCHOR_END: async_for

// ANCHOR: buffer_unordered
/// Looks up one order's status; the time it takes varies by order.
async fn status(order: u32) -> (u32, &'static str) {
    sleep(Duration::from_millis(u64::from(order % 7) * 10 + 10)).await;
    (
        order,
        if order.is_multiple_of(2) {
            "shipped"
        } else {
            "packing"
        },
    )
}

#[tokio::main(flavor = "current_thread", start_paused = true)]
async fn main() {
    let start = Instant::now();
    let every = every_order().await;
    println!("{} orders from 3 pages: {every:?}", every.len());

    // At most 3 status lookups in flight; results in the order they finish.
    let statuses: Vec<(u32, &str)> = stream::iter(every)
        .map(status) // a stream of futures, none started yet
        .buffer_unordered(3)
        .collect()
        .await;
    println!("statuses as they came: {statuses:?}");
    println!("all done after {} ms", start.elapsed().as_millis());
}
// ANCHOR_END: buffer_unordered
