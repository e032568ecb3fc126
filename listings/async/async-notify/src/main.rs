use std::sync::Arc;

use tokio::sync::Notify;

// ANCHOR: permit
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let price_changed = Arc::new(Notify::new());

    // notify_one with nobody waiting stores one permit (never more than one)...
    price_changed.notify_one();
    price_changed.notify_one();
    // ...which the next notified().await takes without waiting.
    price_changed.notified().await;
    println!("first wait: returned at once, using the stored permit");
    let second = tokio::time::timeout(
        std::time::Duration::from_millis(20),
        price_changed.notified(),
    )
    .await;
    println!(
        "second wait: {}",
        if second.is_ok() {
            "returned"
        } else {
            "timed out: the two calls left one permit"
        }
    );
    // ANCHOR_END: permit

    // ANCHOR: waiters
    // notify_waiters wakes every task waiting now, and stores nothing.
    let mut screens = tokio::task::JoinSet::new();
    for screen in ["lobby", "desk"] {
        let notify = Arc::clone(&price_changed);
        // A Notified future counts as waiting for notify_waiters from the
        // moment it is created; the task reports ready only after that.
        let (ready, is_ready) = tokio::sync::oneshot::channel();
        screens.spawn(async move {
            let notified = notify.notified();
            let _ = ready.send(());
            notified.await;
            screen
        });
        is_ready.await.expect("the screen task failed");
    }
    price_changed.notify_waiters();
    while let Some(screen) = screens.join_next().await {
        println!("{} redraws", screen.expect("the screen task failed"));
    }
    let late = tokio::time::timeout(
        std::time::Duration::from_millis(20),
        price_changed.notified(),
    )
    .await;
    println!(
        "a waiter that came later: {}",
        if late.is_ok() {
            "returned"
        } else {
            "timed out"
        }
    );
}
// ANCHOR_END: waiters
