use std::rc::Rc;
use std::time::Duration;

/// Sums a cart's prices, pausing for a (simulated) tax lookup.
async fn total(prices: Vec<u32>) -> u32 {
    let cart = Rc::new(prices);
    let subtotal: u32 = cart.iter().sum();
    tokio::time::sleep(Duration::from_millis(10)).await; // the tax lookup
    // TODO: this task must be Send; make it compile without changing what
    // it prints.
    subtotal + cart.len() as u32 // one unit of tax per item
}

#[tokio::main]
async fn main() {
    let task = tokio::spawn(total(vec![120, 80, 45]));
    println!("total: {}", task.await.expect("the task panicked"));
}
