// ANCHOR: bug
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

struct Request {
    item: &'static str,
    reply: oneshot::Sender<String>,
}

/// Looks items up two at a time, to save round trips to a slow store.
/// The bug: a lone request waits for a second one that never comes.
#[async_backtrace::framed]
async fn stock_server(mut requests: mpsc::Receiver<Request>) {
    let mut batch = Vec::new();
    while let Some(request) = async_backtrace::frame!(requests.recv()).await {
        batch.push(request);
        if batch.len() == 2 {
            for Request { item, reply } in batch.drain(..) {
                let _ = reply.send(format!("{item}: 3 in stock"));
            }
        }
    }
}

#[async_backtrace::framed]
async fn ask_stock(requests: mpsc::Sender<Request>, item: &'static str) -> String {
    let (reply, answer) = oneshot::channel();
    let request = Request { item, reply };
    requests.send(request).await.expect("server gone");
    // The server keeps `reply` in its batch: no answer, and no error either.
    let stock = async_backtrace::frame!(answer).await;
    stock.expect("the server dropped the request")
}
// ANCHOR_END: bug

// ANCHOR: watchdog
#[tokio::main(flavor = "current_thread")]
async fn main() {
    // `main` keeps a sender, as the rest of a real program would.
    let (requests, inbox) = mpsc::channel(16);
    tokio::spawn(stock_server(inbox));
    let client = tokio::spawn(ask_stock(requests.clone(), "tea"));

    let limit = Duration::from_millis(200);
    if let Ok(answer) = tokio::time::timeout(limit, client).await {
        println!("{}", answer.unwrap());
        return;
    }
    println!("no answer after {limit:?}; every framed task:");
    let dump = async_backtrace::taskdump_tree(false);
    println!("{dump}");
    // ANCHOR_END: watchdog
    // The lesson happened only if the dump shows the client at the `.await`
    // of its answer: a frame of `ask_stock` inside the task's own frame.
    let client_frames = dump
        .lines()
        .filter(|line| line.contains("ask_stock"))
        .count();
    if client_frames != 2 || dump.contains("[POLLING]") {
        eprintln!("the dump does not show the client waiting for its answer");
        std::process::exit(1);
    }
}
