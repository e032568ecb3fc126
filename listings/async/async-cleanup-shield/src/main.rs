use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::{sleep, timeout};
use tokio_util::task::TaskTracker;

/// The journal: an async resource (it must be awaited to write to).
type Journal = Arc<Mutex<Vec<String>>>;

// ANCHOR: guard
/// Synchronous cleanup lives in Drop, which runs whenever the future holding
/// the guard is dropped: finished, failed or cancelled.
struct Reservation {
    seat: u32,
    confirmed: bool,
}

impl Drop for Reservation {
    fn drop(&mut self) {
        if !self.confirmed {
            // Drop cannot .await: only synchronous work here.
            println!("  seat {} released (Drop)", self.seat);
        }
    }
}
// ANCHOR_END: guard

// ANCHOR: book
/// Books a seat: reserve, charge the card (slow), then write the journal.
async fn book(
    seat: u32,
    card_delay: Duration,
    journal: Journal,
    tracker: TaskTracker,
) -> &'static str {
    let mut reservation = Reservation {
        seat,
        confirmed: false,
    };
    sleep(card_delay).await; // charging the card; may be cancelled here
    reservation.confirmed = true;
    // Once the card is charged, the journal entry must be written even if
    // the caller gives up now. A spawned task is not cancelled with us:
    // asyncio.shield(write()) in Python. The tracker lets main wait for
    // such tasks before it exits.
    let entry = tracker.spawn(async move {
        sleep(Duration::from_millis(30)).await;
        journal.lock().await.push(format!("seat {seat} charged"));
    });
    entry.await.expect("the journal task panicked");
    "booked"
}
// ANCHOR_END: book

// ANCHOR: main
#[tokio::main(flavor = "current_thread", start_paused = true)]
async fn main() {
    let journal = Journal::default();
    let tracker = TaskTracker::new();
    let budget = Duration::from_millis(50);
    for (seat, card_delay) in [(7, 80), (8, 10), (9, 40)] {
        let card_delay = Duration::from_millis(card_delay);
        let booking = book(seat, card_delay, journal.clone(), tracker.clone());
        match timeout(budget, booking).await {
            Ok(outcome) => println!("seat {seat}: {outcome}"),
            Err(_) => println!("seat {seat}: the caller gave up after 50 ms"),
        }
    }
    tracker.close(); // no more tasks will be added...
    tracker.wait().await; // ...so this returns once the last one is done
    println!("journal: {:?}", journal.lock().await);
}
// ANCHOR_END: main
