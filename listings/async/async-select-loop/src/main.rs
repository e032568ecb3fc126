use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::{Instant, interval, sleep};

/// A download that takes 250 ms and returns its size.
async fn download(name: &str) -> usize {
    sleep(Duration::from_millis(250)).await;
    name.len() * 1000
}

// ANCHOR: resume
/// Reports progress every 100 ms while one download runs, then waits for
/// the deadline: a future resumed across iterations, not restarted.
async fn download_with_progress(start: Instant) {
    let file = download("report.pdf");
    // select! polls through `&mut file`; a future must not move once polled,
    // and pin! fixes it in place (see the text). Without the `&mut`, each
    // iteration would need a new download.
    tokio::pin!(file);
    let mut done = false;
    let mut progress = interval(Duration::from_millis(100));
    let deadline = sleep(Duration::from_millis(320));
    tokio::pin!(deadline);
    loop {
        let at = || start.elapsed().as_millis();
        tokio::select! {
            // Checked first, every time: after the deadline, nothing else runs.
            biased;
            _ = &mut deadline => {
                println!("{:>3} ms: deadline, stop", at());
                break;
            }
            // A finished future must not be polled again: the precondition
            // turns this branch off once it has completed.
            size = &mut file, if !done => {
                println!("{:>3} ms: downloaded {size} bytes", at());
                done = true;
            }
            _ = progress.tick() => println!("{:>3} ms: still working", at()),
        }
    }
}
// ANCHOR_END: resume

// ANCHOR: merge
/// Merges two channels until both are closed.
async fn merge(mut prices: mpsc::Receiver<u32>, mut news: mpsc::Receiver<&'static str>) {
    loop {
        tokio::select! {
            // `Some(..) =`: a closed channel gives None, which does not match,
            // so this select! call leaves the branch out and waits on the
            // others. The next call (the next turn of the loop) tries it
            // again; a closed channel answers None at once, every time.
            Some(price) = prices.recv() => println!("price {price}"),
            Some(headline) = news.recv() => println!("news: {headline}"),
            // Every branch is off: both channels are closed.
            else => break,
        }
    }
    println!("both channels closed");
}
// ANCHOR_END: merge

#[tokio::main(flavor = "current_thread", start_paused = true)]
async fn main() {
    download_with_progress(Instant::now()).await;

    let (price_sender, prices) = mpsc::channel(4);
    let (news_sender, news) = mpsc::channel(4);
    price_sender.send(101).await.expect("open");
    news_sender
        .send("ACME beats forecasts")
        .await
        .expect("open");
    drop((price_sender, news_sender));
    merge(prices, news).await;
}
