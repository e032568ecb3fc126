use tokio::sync::oneshot;

// ANCHOR: all
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let (price_tx, price_rx) = oneshot::channel::<u32>();

    // Spawned first; this tokio's run queue is first in, first out, so it
    // runs first, until it waits.
    let checkout = tokio::spawn(async move {
        println!("checkout: waiting for the price");
        let price = price_rx.await.expect("pricing dropped its sender");
        println!("checkout: woken up, charging {price} cents");
    });

    let pricing = tokio::spawn(async move {
        println!("pricing:  running while checkout waits");
        // Sending wakes checkout: it goes back into the run queue, but this
        // task keeps the thread until its own next await (here: its end).
        price_tx.send(1250).expect("checkout is gone");
        println!("pricing:  price sent, done");
    });

    println!("main:     both tasks spawned, none has run yet");
    checkout.await.expect("checkout panicked");
    pricing.await.expect("pricing panicked");
}
// ANCHOR_END: all
