use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::timeout;

/// How long `main` waits for the cashier's total before it gives up.
const PATIENCE: Duration = Duration::from_millis(200);

// ANCHOR: all
/// Adds up the amounts it receives until the queue is closed.
async fn cashier(mut orders: mpsc::Receiver<u32>) -> u32 {
    let mut total = 0;
    while let Some(amount) = orders.recv().await {
        total += amount;
    }
    total // reached once recv returns None
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let (orders, queue) = mpsc::channel(4);
    let cashier = tokio::spawn(cashier(queue));

    // Three tills send their orders to the one cashier.
    for till in 1..=3 {
        let orders = orders.clone();
        tokio::spawn(async move {
            for amount in [10 * till, 20 * till] {
                orders.send(amount).await.expect("the cashier has stopped");
            }
        });
    }

    // TODO: the tills send six orders and end, but the cashier never
    // returns its total. Make it return, without changing `cashier`.
    match timeout(PATIENCE, cashier).await {
        Ok(total) => {
            let total = total.expect("the cashier panicked");
            println!("total: {total} (goal: 180): the cashier saw the queue close");
        }
        Err(_) => {
            let waited = PATIENCE.as_millis();
            println!("no total after {waited} ms (goal: 180): the cashier still waits");
        }
    }
}
// ANCHOR_END: all
