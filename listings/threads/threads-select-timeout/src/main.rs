// ANCHOR: all
use std::thread;
use std::time::Duration;

use crossbeam::channel::{self, select};

fn main() {
    // Zero capacity: each send waits until main receives it, so this example
    // prints its messages in the same order on every run.
    let (price_sender, prices) = channel::bounded::<(&str, u32)>(0);
    let (news_sender, news) = channel::bounded::<&str>(0);
    let (stop_feed, feed_stopped) = channel::bounded::<()>(0);

    thread::scope(|scope| {
        scope.spawn(move || {
            price_sender.send(("ACME", 101)).unwrap();
            news_sender.send("ACME opens a new plant").unwrap();
            price_sender.send(("ACME", 104)).unwrap();
            // Then the feed goes quiet, but keeps its channels open until
            // main tells it to stop: a stalled connection, not a closed one.
            let _ = feed_stopped.recv();
        });

        loop {
            select! {
                recv(prices) -> quote => match quote {
                    Ok((symbol, cents)) => println!("price  {symbol} {cents}"),
                    Err(_) => break,
                },
                recv(news) -> headline => match headline {
                    Ok(headline) => println!("news   {headline}"),
                    Err(_) => break,
                },
                default(Duration::from_millis(300)) => {
                    println!("quiet for 300 ms: the feed has stalled, stopping");
                    break;
                }
            }
        }
        // Dropping the last sender of `stop_feed` wakes the feed thread.
        drop(stop_feed);
    });
}
// ANCHOR_END: all
