use tokio::task::{self, JoinSet};
use tracing::info;

// ANCHOR: handlers
async fn handle_order(order: u32) -> u32 {
    info!("order received");
    let stock = tokio::spawn(check_stock()).await.unwrap();
    let price = task::spawn_blocking(move || price(order)).await.unwrap();
    info!(stock, price, "order done");
    price
}

async fn check_stock() -> u32 {
    info!(task = %task::id(), "checking stock");
    task::yield_now().await; // the task may resume on another thread
    info!(task = %task::id(), "stock checked");
    3
}

fn price(order: u32) -> u32 {
    info!("pricing");
    order * 100
}
// ANCHOR_END: handlers

// ANCHOR: main
#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    tracing_subscriber::fmt()
        .without_time() // times differ on every run; keep them in real logs
        .with_target(false)
        .with_ansi(false)
        .with_thread_names(true)
        .with_thread_ids(true)
        .init();
    let mut orders = JoinSet::new();
    for order in 1..=3 {
        orders.spawn(handle_order(order));
    }
    while let Some(done) = orders.join_next().await {
        done.unwrap();
    }
}
// ANCHOR_END: main
