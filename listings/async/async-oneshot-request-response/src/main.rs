use std::collections::HashMap;

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinSet;

// ANCHOR: actor
/// A request to the inventory task, with the channel to answer it on.
enum Request {
    Reserve {
        item: &'static str,
        reply: oneshot::Sender<Result<u32, String>>,
    },
    Stock {
        item: &'static str,
        reply: oneshot::Sender<u32>,
    },
}

/// Owns the stock: no lock, because no other task can touch it.
async fn inventory(mut requests: mpsc::Receiver<Request>) {
    let mut stock = HashMap::from([("lamp", 3), ("desk", 1)]);
    while let Some(request) = requests.recv().await {
        match request {
            Request::Reserve { item, reply } => {
                let left = stock.entry(item).or_insert(0);
                let answer = if *left > 0 {
                    *left -= 1;
                    Ok(*left)
                } else {
                    Err(format!("{item} is sold out"))
                };
                // The asker may have given up (dropped its receiver): fine.
                let _ = reply.send(answer);
            }
            Request::Stock { item, reply } => {
                let _ = reply.send(stock.get(item).copied().unwrap_or(0));
            }
        }
    }
}
// ANCHOR_END: actor

// ANCHOR: client
/// What a client calls: send the request, await the one answer.
async fn reserve(requests: &mpsc::Sender<Request>, item: &'static str) -> Result<u32, String> {
    let (reply, answer) = oneshot::channel();
    requests
        .send(Request::Reserve { item, reply })
        .await
        .map_err(|_| "inventory is down".to_owned())?;
    answer
        .await
        .map_err(|_| "inventory dropped the request".to_owned())?
}
// ANCHOR_END: client

// ANCHOR: main
#[tokio::main]
async fn main() {
    let (requests, inbox) = mpsc::channel(16);
    let inventory_task = tokio::spawn(inventory(inbox));

    // Three shoppers race for the only desk: exactly one gets it.
    let mut shoppers = JoinSet::new();
    for _ in 0..3 {
        let requests = requests.clone();
        shoppers.spawn(async move { reserve(&requests, "desk").await });
    }
    let mut reserved = 0;
    let mut refused = Vec::new();
    while let Some(result) = shoppers.join_next().await {
        match result.expect("a shopper panicked") {
            Ok(_) => reserved += 1,
            Err(reason) => refused.push(reason),
        }
    }
    println!(
        "desk: {reserved} reserved, {} refused: {:?}",
        refused.len(),
        refused[0]
    );

    match reserve(&requests, "lamp").await {
        Ok(left) => println!("lamp: reserved, {left} left"),
        Err(reason) => println!("lamp: {reason}"),
    }
    let (reply, answer) = oneshot::channel();
    let _ = requests
        .send(Request::Stock {
            item: "lamp",
            reply,
        })
        .await;
    println!(
        "lamp stock: {}",
        answer.await.expect("inventory dropped the request")
    );

    // Dropping the last sender ends the inventory task's loop.
    drop(requests);
    inventory_task.await.expect("the inventory task panicked");
}
// ANCHOR_END: main
