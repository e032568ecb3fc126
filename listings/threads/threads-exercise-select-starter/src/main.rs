use std::thread;
use std::time::Duration;

use crossbeam::channel::{self, Receiver, RecvTimeoutError, Sender};

const PATIENCE: Duration = Duration::from_millis(500);

/// Sends two prices, goes quiet until asked, then sends an alert. Returns
/// whether the alert was taken.
fn feed(prices: Sender<u32>, alerts: Sender<&'static str>, asked: Receiver<()>) -> bool {
    for cents in [101, 102] {
        prices.send(cents).unwrap();
    }
    let _ = asked.recv();
    // Zero capacity: this send completes only if the monitor takes it.
    alerts.send("halt trading").is_ok()
}

fn main() {
    // Zero capacity: every message waits for the monitor to take it.
    let (price_sender, prices) = channel::bounded(0);
    let (alert_sender, alerts) = channel::bounded(0);
    let (ask, asked) = channel::bounded(1);
    thread::scope(|scope| {
        let feed = scope.spawn(move || feed(price_sender, alert_sender, asked));
        // ANCHOR: all
        // TODO: wait on `prices`, `alerts` and the timeout at the same time.
        let mut quiet_periods = 0;
        loop {
            match prices.recv_timeout(PATIENCE) {
                Ok(cents) => println!("price {cents}"),
                Err(RecvTimeoutError::Timeout) if quiet_periods == 0 => {
                    quiet_periods += 1;
                    println!("no price for 500 ms: asking the feed");
                    ask.send(()).unwrap();
                }
                Err(RecvTimeoutError::Timeout) => {
                    println!("no price for 500 ms again: giving up");
                    break;
                }
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        // ANCHOR_END: all
        // The monitor stops listening; an alert still on its way is refused.
        drop(alerts);
        let delivered = feed.join().unwrap();
        println!("check: the feed's alert was taken: {delivered}");
    });
}
