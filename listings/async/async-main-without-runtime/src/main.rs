use std::time::Duration;

// Python's asyncio.run() is missing here: nothing would drive this future.
async fn main() {
    tokio::time::sleep(Duration::from_millis(100)).await;
    println!("slept");
}
