// ANCHOR: all
use tokio::sync::oneshot;

async fn send_invoice(customer: &str, number: u32) -> u32 {
    println!("  (sending invoice #{number} to {customer})");
    number
}

#[tokio::main]
async fn main() {
    // Calling an async fn runs none of its body: it only builds a future.
    let invoice = send_invoice("Ada", 1001);
    println!("future created, nothing sent yet");
    let number = invoice.await;
    println!("awaited: invoice #{number} sent");

    // A future that is never awaited never runs. Dropping it is the end of it.
    let forgotten = send_invoice("Grace", 1002);
    drop(forgotten);
    println!("second future dropped: Grace gets no invoice");

    // tokio::spawn is different: the runtime owns the task and runs it,
    // even once its JoinHandle is dropped.
    let (done, receipt) = oneshot::channel();
    let handle = tokio::spawn(async move {
        let number = send_invoice("Linus", 1003).await;
        let _ = done.send(number);
    });
    drop(handle);
    let number = receipt.await.expect("the task dropped its sender");
    println!("spawned task sent invoice #{number}; its handle was dropped");
}
// ANCHOR_END: all
