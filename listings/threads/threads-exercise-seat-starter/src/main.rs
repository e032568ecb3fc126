// ANCHOR: all
use std::sync::Barrier;
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::thread;

/// Sells one seat if any is left. Returns whether this customer got one.
fn book(seats_left: &AtomicU32, customers_arrived: &Barrier) -> bool {
    let left = seats_left.load(Relaxed);
    // The customers arrive together: this wait makes the race happen on
    // every run. Keep a wait on the barrier in your version too.
    customers_arrived.wait();
    // TODO: between the check above and the act below, the other customer
    // can take the seat. Check and take it in one atomic step instead.
    if left > 0 {
        seats_left.store(left - 1, Relaxed);
        true
    } else {
        false
    }
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
