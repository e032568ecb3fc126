// ANCHOR: all
/// Parses an order line's quantity. The bug: it trusts its input.
async fn quantity(line: &'static str) -> u32 {
    line.parse().expect("quantity is a number")
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let orders = ["3", "12x", "5"];
    let handles: Vec<_> = orders
        .iter()
        .map(|&line| tokio::spawn(quantity(line)))
        .collect();

    // The panic unwinds its own task only. The runtime and the other tasks
    // go on; the JoinHandle reports what happened.
    for (line, handle) in orders.iter().zip(handles) {
        match handle.await {
            Ok(quantity) => println!("order {line:?}: quantity {quantity}"),
            Err(error) if error.is_panic() => {
                // The payload is what the task panicked with: here a String.
                let payload = error.into_panic();
                let message = payload.downcast_ref::<String>().map_or("?", String::as_str);
                println!("order {line:?}: task panicked: {message}");
            }
            Err(error) => println!("order {line:?}: task failed: {error}"),
        }
    }
    println!("main is still running");
}
// ANCHOR_END: all
