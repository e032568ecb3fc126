use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinSet;
use tokio::time::sleep;

// ANCHOR: std
/// Page views, counted by 100 request handlers.
async fn count_views() -> BTreeMap<&'static str, u32> {
    let views = Arc::new(std::sync::Mutex::new(BTreeMap::new()));
    let mut handlers = JoinSet::new();
    for request in 0..100 {
        let views = Arc::clone(&views);
        handlers.spawn(async move {
            let page = if request % 4 == 0 { "/cart" } else { "/home" };
            sleep(Duration::from_millis(1)).await; // simulated request handling
            // The guard is a temporary: it is dropped at the end of this
            // statement, before any .await. Held that briefly, a std Mutex
            // never makes another task wait for long.
            *views.lock().unwrap().entry(page).or_insert(0) += 1;
        });
    }
    handlers.join_all().await;
    let views = views.lock().unwrap();
    views.clone()
}
// ANCHOR_END: std

// ANCHOR: tokio
/// A shared journal: each clerk writes an entry in two steps with an .await
/// between them, and no other entry may come in between.
async fn write_journal() -> Vec<String> {
    let journal = Arc::new(tokio::sync::Mutex::new(Vec::new()));
    let mut clerks = JoinSet::new();
    for clerk in 1..=5 {
        let journal = Arc::clone(&journal);
        clerks.spawn(async move {
            // lock().await: waiting for the lock is itself an await, and the
            // guard may be held across the next await: it is Send.
            let mut entry = journal.lock().await;
            entry.push(format!("clerk {clerk}: begin"));
            sleep(Duration::from_millis(2)).await; // e.g. a write to a socket
            entry.push(format!("clerk {clerk}: end"));
        });
    }
    clerks.join_all().await;
    journal.lock().await.clone()
}
// ANCHOR_END: tokio

#[tokio::main]
async fn main() {
    println!("views: {:?}", count_views().await);

    let journal = write_journal().await;
    // Every "begin" must be followed directly by the same clerk's "end".
    let intact = journal
        .chunks(2)
        .all(|pair| pair.len() == 2 && pair[1] == pair[0].replace(": begin", ": end"));
    println!(
        "check: journal: {} lines, every entry in one piece: {intact}",
        journal.len()
    );
}
