// ANCHOR: drain
use tokio::sync::broadcast;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};

/// Prints every price a subscriber has waiting, and how many it missed,
/// without waiting for more.
fn drain(name: &str, feed: &mut broadcast::Receiver<u32>) {
    loop {
        match feed.try_recv() {
            Ok(price) => println!("  {name}: {price}"),
            Err(TryRecvError::Lagged(missed)) => println!("  {name}: lagged, missed {missed}"),
            Err(_) => break, // nothing waiting (or closed)
        }
    }
}
// ANCHOR_END: drain

// ANCHOR: main
#[tokio::main(flavor = "current_thread")]
async fn main() {
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

    // A subscriber task loops on recv().await. Once every sender is gone,
    // it gets what the channel kept, then Closed.
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
// ANCHOR_END: main
