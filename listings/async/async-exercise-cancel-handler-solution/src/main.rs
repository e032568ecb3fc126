use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::{Instant, interval};
use tokio_util::sync::CancellationToken;

// ANCHOR: all
/// Sends a client one price every 100 ms, twenty in all, unless stopped.
async fn price_feed(client: mpsc::Sender<u32>, stop: CancellationToken) -> u32 {
    let mut ticks = interval(Duration::from_millis(100));
    let mut sent = 0;
    for price in 100..120 {
        // Both waits, for the tick and for room in a slow client's queue,
        // end when the token is cancelled. `reserve` waits for room without
        // holding the price: a cancelled `send` would drop the price it held.
        let room = async {
            ticks.tick().await;
            client.reserve().await
        };
        tokio::select! {
            // Checked first: once cancelled, no further price goes out.
            biased;
            _ = stop.cancelled() => break,
            room = room => match room {
                Ok(permit) => permit.send(price), // cannot wait, cannot fail
                Err(_closed) => break,             // the client is gone
            },
        }
        sent += 1;
    }
    sent
}

#[tokio::main(flavor = "current_thread", start_paused = true)]
async fn main() {
    let stop = CancellationToken::new();
    let (client, mut prices) = mpsc::channel(1);
    let feed = tokio::spawn(price_feed(client, stop.clone()));
    for _ in 0..3 {
        prices.recv().await;
    }
    let cancelled_at = Instant::now();
    stop.cancel(); // the client wants no more
    let drained = async { while prices.recv().await.is_some() {} };
    drained.await;
    let sent = feed.await.expect("the feed panicked");
    let late = cancelled_at.elapsed().as_millis();
    println!("the feed sent {sent} prices and stopped {late} ms after the cancel");
}
// ANCHOR_END: all
