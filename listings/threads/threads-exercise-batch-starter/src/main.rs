use std::rc::Rc;
use std::thread;

/// Orders to add up, with the name of the shop they came from. Batches of
/// one shop share its name rather than each holding a copy.
struct Batch {
    shop: Rc<str>,
    orders: Vec<u32>,
}

impl Batch {
    fn new(shop: &Rc<str>, orders: &[u32]) -> Self {
        Batch {
            shop: Rc::clone(shop),
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

fn main() {
    let north: Rc<str> = Rc::from("north");
    let south: Rc<str> = Rc::from("south");
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
