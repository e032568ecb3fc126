// ANCHOR: message
use std::collections::HashMap;

use tokio::sync::{mpsc, oneshot};
use tokio::task::{JoinHandle, JoinSet};

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
// ANCHOR_END: message

// ANCHOR: actor
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
                let reserved = answer.is_ok();
                // `send` fails if the asker gave up (dropped its receiver).
                if reply.send(answer).is_err() && reserved {
                    *left += 1; // a reservation nobody will get: undo it
                }
            }
            Request::Stock { item, reply } => {
                let _ = reply.send(stock.get(item).copied().unwrap_or(0));
            }
        }
    }
}
// ANCHOR_END: actor

// ANCHOR: handle
/// What the rest of the program holds: the sending half of the mailbox.
#[derive(Clone)]
struct Inventory {
    requests: mpsc::Sender<Request>,
}

impl Inventory {
    /// Spawns the inventory task, which ends once every handle is dropped.
    fn start() -> (Inventory, JoinHandle<()>) {
        let (requests, mailbox) = mpsc::channel(16);
        (Inventory { requests }, tokio::spawn(inventory(mailbox)))
    }

    async fn reserve(&self, item: &'static str) -> Result<u32, String> {
        let (reply, answer) = oneshot::channel();
        let request = Request::Reserve { item, reply };
        if self.requests.send(request).await.is_err() {
            return Err("the inventory task has stopped".to_owned());
        }
        // The outer Result says whether an answer came; the inner one is it.
        answer.await.map_err(|_| "no answer came".to_owned())?
    }

    async fn stock(&self, item: &'static str) -> Result<u32, String> {
        let (reply, answer) = oneshot::channel();
        let request = Request::Stock { item, reply };
        if self.requests.send(request).await.is_err() {
            return Err("the inventory task has stopped".to_owned());
        }
        answer.await.map_err(|_| "no answer came".to_owned())
    }
}
// ANCHOR_END: handle

// ANCHOR: main
#[tokio::main]
async fn main() {
    let (shop, inventory_task) = Inventory::start();

    // Three shoppers race for the only desk: exactly one gets it.
    let mut shoppers = JoinSet::new();
    for _ in 0..3 {
        let shop = shop.clone();
        shoppers.spawn(async move { shop.reserve("desk").await });
    }
    let answers = shoppers.join_all().await;
    let reserved = answers.iter().filter(|answer| answer.is_ok()).count();
    println!("desk: {reserved} of 3 shoppers got it");

    println!("one more desk: {:?}", shop.reserve("desk").await);
    println!("one lamp:      {:?}", shop.reserve("lamp").await);
    println!("lamps left:    {:?}", shop.stock("lamp").await);

    // Dropping the last handle drops the last sender: the task's loop ends.
    drop(shop);
    inventory_task.await.expect("the inventory task panicked");
}
// ANCHOR_END: main
