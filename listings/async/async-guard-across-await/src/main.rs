use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[tokio::main]
async fn main() {
    let views = Arc::new(Mutex::new(BTreeMap::new()));
    let handler = {
        let views = Arc::clone(&views);
        tokio::spawn(async move {
            let mut counts = views.lock().unwrap();
            // The guard `counts` is still alive across this .await.
            tokio::time::sleep(Duration::from_millis(1)).await;
            *counts.entry("/home").or_insert(0) += 1;
        })
    };
    handler.await.unwrap();
    println!("{:?}", views.lock().unwrap());
}
