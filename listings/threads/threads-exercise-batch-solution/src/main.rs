// ANCHOR: all
use std::sync::Arc;
// ANCHOR_END: all
use std::thread;
// ANCHOR: all

// ANCHOR_END: all
/// Orders to add up, with the name of the shop they came from. Batches of
/// one shop share its name rather than each holding a copy.
// ANCHOR: all
struct Batch {
    shop: Arc<str>,
    orders: Vec<u32>,
}

// ANCHOR_END: all
impl Batch {
    // ANCHOR: all
    fn new(shop: &Arc<str>, orders: &[u32]) -> Self {
        Batch {
            shop: Arc::clone(shop),
            // ANCHOR_END: all
            orders: orders.to_vec(),
        }
    }

    fn summary(&self) -> String {
        let total: u32 = self.orders.iter().sum();
        format!(
            "{}: {} orders, {total} in all",
            self.shop,
            self.orders.len()
        )
    }
}
// ANCHOR: all

// ANCHOR_END: all
fn main() {
    // ANCHOR: all
    let north: Arc<str> = Arc::from("north");
    let south: Arc<str> = Arc::from("south");
    // ANCHOR_END: all
    let batches = vec![
        Batch::new(&north, &[12, 30]),
        Batch::new(&south, &[5, 11]),
        Batch::new(&north, &[7, 8, 9]),
    ];
    // One thread per batch: each moves its batch in and sums it there.
    let handles: Vec<_> = batches
        .into_iter()
        .map(|batch| thread::spawn(move || batch.summary()))
        .collect();
    for handle in handles {
        println!("{}", handle.join().unwrap());
    }
}
