use std::time::Duration;

use tokio::sync::mpsc;

// ANCHOR: all
// One thread, so the interleaving below is fixed: tasks switch only at awaits.
#[tokio::main(flavor = "current_thread")]
async fn main() {
    // Room for two orders waiting to be cooked; a third has to wait.
    let (orders, mut kitchen) = mpsc::channel::<u32>(2);

    let waiter = tokio::spawn(async move {
        for order in 1..=5 {
            // Waits while the channel is full: this is the backpressure.
            orders.send(order).await.expect("the kitchen closed");
            println!(
                "waiter:  order {order} sent, {} free slot(s)",
                orders.capacity()
            );
        }
        // `orders` is dropped here, which closes the channel.
    });

    while let Some(order) = kitchen.recv().await {
        println!("kitchen: cooking order {order}");
        tokio::time::sleep(Duration::from_millis(20)).await; // simulated work
    }
    println!("kitchen: channel closed, every order cooked");
    waiter.await.expect("the waiter panicked");
}
// ANCHOR_END: all
