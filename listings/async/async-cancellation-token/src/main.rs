use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::sleep;
use tokio_util::sync::CancellationToken;

// ANCHOR: all
/// Works in 10 ms batches until told to stop. The token is looked at only
/// between batches, and a batch is awaited outside any `select!`, so a
/// batch once started is never dropped half-way.
async fn worker(name: &'static str, stop: CancellationToken, ready: mpsc::Sender<()>) -> String {
    let (mut started, mut finished) = (0, 0);
    while !stop.is_cancelled() {
        started += 1;
        sleep(Duration::from_millis(10)).await; // the batch's work
        finished += 1;
        if finished == 1 {
            let _ = ready.send(()).await;
        }
    }
    // Unlike a dropped future, a worker told to stop still runs this: it can
    // flush, say goodbye, even .await.
    format!(
        "{name}: stopped after {finished} batches, {} cut off half-way",
        started - finished
    )
}

#[tokio::main]
async fn main() {
    let shutdown = CancellationToken::new();
    // A child is cancelled with its parent, and can be cancelled alone.
    let indexing = shutdown.child_token();

    let (ready, mut working) = mpsc::channel(3);
    let mailer = tokio::spawn(worker("mailer", shutdown.clone(), ready.clone()));
    let indexers = [
        tokio::spawn(worker("indexer-1", indexing.child_token(), ready.clone())),
        tokio::spawn(worker("indexer-2", indexing.child_token(), ready)),
    ];
    for _ in 0..3 {
        working.recv().await.expect("a worker ended early");
    }
    println!("all three workers have finished a batch");

    indexing.cancel();
    for indexer in indexers {
        println!("{}", indexer.await.expect("an indexer panicked"));
    }
    println!(
        "indexing cancelled; shutdown cancelled too? {}",
        shutdown.is_cancelled()
    );

    shutdown.cancel();
    println!("{}", mailer.await.expect("the mailer panicked"));
}
// ANCHOR_END: all
