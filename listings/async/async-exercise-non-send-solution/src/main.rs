use std::time::Duration;

// ANCHOR: all
/// Sums a cart's prices, pausing for a (simulated) tax lookup.
async fn total(prices: Vec<u32>) -> u32 {
    // Across the .await the future keeps every local still alive: `prices`
    // (a Vec) and two numbers, all Send. (An Rc was never needed: nothing
    // shares the cart. Where sharing is needed, Arc is the Send version.)
    let subtotal: u32 = prices.iter().sum();
    let items = prices.len() as u32;
    tokio::time::sleep(Duration::from_millis(10)).await; // the tax lookup
    subtotal + items // one unit of tax per item
}

#[tokio::main]
async fn main() {
    let task = tokio::spawn(total(vec![120, 80, 45]));
    println!("total: {}", task.await.expect("the task panicked"));
}
// ANCHOR_END: all
