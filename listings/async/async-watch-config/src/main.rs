// ANCHOR: all
use tokio::sync::watch;

struct Config {
    rate_limit: u32,
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
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
        // The borrow is a read lock, released at the end of this statement.
        println!(
            "worker sees rate limit {}",
            seen_by_worker.borrow_and_update().rate_limit
        );
    }
    println!("config sender dropped: worker stops watching");
}
// ANCHOR_END: all
