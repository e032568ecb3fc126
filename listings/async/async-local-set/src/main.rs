use std::cell::RefCell;
use std::rc::Rc;

use tokio::task::LocalSet;

// ANCHOR: all
#[tokio::main(flavor = "current_thread")]
async fn main() {
    // Rc and RefCell are not Send: tokio::spawn would refuse these tasks.
    let basket = Rc::new(RefCell::new(Vec::new()));
    let local = LocalSet::new();
    for item in ["bread", "milk", "eggs"] {
        let basket = Rc::clone(&basket);
        local.spawn_local(async move {
            tokio::task::yield_now().await; // a real task: it can await
            basket.borrow_mut().push(item);
        });
    }
    // The tasks run while the LocalSet is awaited, on this thread only.
    local.await;
    // The order the tasks ran in is the scheduler's business: sort, so that
    // what is printed does not depend on it.
    let mut items = basket.borrow().clone();
    items.sort();
    println!("basket, sorted: {items:?}");
}
// ANCHOR_END: all
