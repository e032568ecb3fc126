// ANCHOR: all
use std::sync::Barrier;
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::thread;

/// Sells one seat if any is left. Returns whether this customer got one.
fn book(seats_left: &AtomicU32, customers_arrived: &Barrier) -> bool {
    // Both customers try at the same moment.
    customers_arrived.wait();
    // try_update retries a compare-and-swap until the closure's answer is
    // stored in place of the value it was computed from. checked_sub says
    // None when no seat is left, and then nothing is stored.
    // The first ordering is for the read-modify-write that succeeds, the
    // second for the loads (the first read and every failed exchange).
    // Relaxed for both: the count is all the customers share, and the
    // compare-and-swap alone keeps it right.
    seats_left
        .try_update(Relaxed, Relaxed, |left| left.checked_sub(1))
        .is_ok()
}

fn main() {
    let seats_left = AtomicU32::new(1);
    let customers_arrived = Barrier::new(2);
    let sold = thread::scope(|scope| {
        let customers: Vec<_> = (0..2)
            .map(|_| scope.spawn(|| book(&seats_left, &customers_arrived)))
            .collect();
        customers
            .into_iter()
            .map(|c| c.join().unwrap())
            .filter(|&got| got)
            .count()
    });
    println!(
        "tickets sold for the last seat: {sold}; seats left: {}",
        seats_left.load(Relaxed)
    );
    if sold > 1 {
        println!("oversold: both customers saw the seat as free");
    }
}
// ANCHOR_END: all
