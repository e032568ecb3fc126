// ANCHOR: all
tokio::task_local! {
    /// The request being served, readable by any function the task calls.
    static REQUEST_ID: u64;
}

/// Deep in the call stack: logs with the request id, without a parameter.
fn log(message: &str) {
    match REQUEST_ID.try_with(|id| *id) {
        Ok(id) => println!("[request {id}] {message}"),
        Err(_) => println!("[no request] {message}"),
    }
}

async fn handle_order() {
    log("checking stock");
    // A spawned task is a new task: it does not see the caller's value...
    tokio::spawn(async { log("sending the e-mail (spawned)") })
        .await
        .expect("the task panicked");
    // ...unless it is given one.
    let id = REQUEST_ID.get();
    tokio::spawn(REQUEST_ID.scope(id, async { log("sending the e-mail (scoped)") }))
        .await
        .expect("the task panicked");
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    REQUEST_ID.scope(41, handle_order()).await;
    REQUEST_ID.scope(42, handle_order()).await;
    log("between requests");
}
// ANCHOR_END: all
