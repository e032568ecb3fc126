// ANCHOR: all
use std::sync::Mutex;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// Item names and prices in cents.
struct Cart {
    items: Mutex<Vec<(&'static str, u32)>>,
}

impl Cart {
    fn total(&self) -> u32 {
        sum(&self.items.lock().unwrap())
    }

    /// Adds an item, and a bag fee when the total first goes over 20 euros.
    fn add(&self, name: &'static str, cents: u32) {
        let mut items = self.items.lock().unwrap();
        let had_fee = items.iter().any(|&(name, _)| name == "bag fee");
        items.push((name, cents));
        // `self.total()` would lock `items` again, on this thread, which
        // already holds it. Add up through the guard we have instead.
        if !had_fee && sum(&items) > 2000 {
            items.push(("bag fee", 10));
        }
    }
}

fn sum(items: &[(&str, u32)]) -> u32 {
    items.iter().map(|&(_, cents)| cents).sum()
}

static CART: Cart = Cart {
    items: Mutex::new(Vec::new()),
};

fn main() {
    let (done, receipt) = mpsc::channel();
    let checkout = thread::spawn(move || {
        for (name, cents) in [("coffee", 899), ("cheese", 1250), ("bread", 249)] {
            CART.add(name, cents);
        }
        let _ = done.send(CART.total());
    });
    // A watchdog: wait for the receipt, but not forever.
    match receipt.recv_timeout(Duration::from_secs(1)) {
        Ok(total) => println!("receipt: {total} cents"),
        Err(_) => println!(
            "no receipt after 1 s; checkout thread finished: {}",
            checkout.is_finished()
        ),
    }
}
// ANCHOR_END: all
