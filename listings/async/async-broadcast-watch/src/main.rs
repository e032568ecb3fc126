use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{broadcast, watch};

// ANCHOR: broadcast
/// Reads everything a subscriber has, and what went missing.
fn drain(name: &str, feed: &mut broadcast::Receiver<u32>) {
    loop {
        match feed.try_recv() {
            Ok(price) => println!("  {name}: {price}"),
            Err(broadcast::error::TryRecvError::Lagged(missed)) => {
                println!("  {name}: lagged, missed {missed}")
            }
            Err(_) => break, // empty (or closed)
        }
    }
}

async fn price_feed() {
    // Every subscriber sees every message; the channel keeps the last 4.
    let (feed, mut dashboard) = broadcast::channel::<u32>(4);
    let mut logger = feed.subscribe();
    for price in [101, 102, 103] {
        feed.send(price).expect("no subscriber left");
    }
    println!("3 prices sent to 2 subscribers:");
    drain("dashboard", &mut dashboard);
    drain("logger", &mut logger);

    // A late subscriber only sees what is sent after it subscribed.
    let mut auditor = feed.subscribe();
    for price in 104..=109 {
        feed.send(price).expect("no subscriber left");
    }
    println!("6 more prices sent, nobody reading, capacity 4:");
    drain("auditor", &mut auditor);

    // With every sender gone, a receiver still gets what the channel kept,
    // then Closed. recv().await is what a subscriber task would loop on.
    drop(feed);
    let mut kept = Vec::new();
    loop {
        match dashboard.recv().await {
            Ok(price) => kept.push(price),
            Err(RecvError::Lagged(missed)) => println!("  dashboard: lagged, missed {missed}"),
            Err(RecvError::Closed) => break,
        }
    }
    println!("  dashboard: then {kept:?}, then Closed");
}
// ANCHOR_END: broadcast

// ANCHOR: watch
struct Config {
    rate_limit: u32,
}

async fn config_updates() {
    let (config, mut seen_by_worker) = watch::channel(Config { rate_limit: 10 });
    println!(
        "worker starts with rate limit {}",
        seen_by_worker.borrow_and_update().rate_limit
    );

    // Three updates in a row before the worker looks again.
    for rate_limit in [20, 30, 40] {
        config
            .send(Config { rate_limit })
            .expect("the worker is gone");
    }
    drop(config);

    // changed() reports "something new since you last looked", once, and the
    // value is always the latest: 20 and 30 were overwritten, never seen.
    while seen_by_worker.changed().await.is_ok() {
        println!(
            "worker sees rate limit {}",
            seen_by_worker.borrow_and_update().rate_limit
        );
    }
    println!("config sender dropped: worker stops watching");
}
// ANCHOR_END: watch

#[tokio::main(flavor = "current_thread")]
async fn main() {
    price_feed().await;
    config_updates().await;
}
