use std::sync::Arc;
use std::time::Duration;

// ANCHOR: all
#[tokio::main]
async fn main() {
    let prices = Vec::from([101, 99, 104]);
    // `async move`: the task owns the vector, so it can outlive this frame.
    let total = tokio::spawn(async move { prices.iter().sum::<i32>() });
    // A JoinHandle is a future of Result<output, JoinError>.
    println!("total {}", total.await.expect("the sum task panicked"));

    // Data that several tasks read: one Arc, one clone per task. An Rc would
    // not compile here: its count is not atomic, so it is not Send.
    let catalog = Arc::new(vec!["lamp", "desk", "chair"]);
    let mut shelves = Vec::new();
    for shelf in 0..catalog.len() {
        let catalog = Arc::clone(&catalog);
        shelves.push(tokio::spawn(async move {
            // Simulated I/O: later shelves answer first.
            let delay = 10 * (catalog.len() - shelf) as u64;
            tokio::time::sleep(Duration::from_millis(delay)).await;
            format!("shelf {shelf}: {}", catalog[shelf])
        }));
    }
    // Awaiting the handles in order gives the results in order, whatever
    // order the tasks finished in.
    for shelf in shelves {
        println!("{}", shelf.await.expect("a shelf task panicked"));
    }
}
// ANCHOR_END: all
