// ANCHOR: all
use std::time::Duration;

use tokio::time::sleep;

/// Calls `op` until it succeeds, `attempts` times at most.
async fn retry<T>(attempts: u32, op: impl AsyncFn(u32) -> Result<T, String>) -> Result<T, String> {
    let mut attempt = 1;
    loop {
        match op(attempt).await {
            Err(error) if attempt < attempts => {
                println!("attempt {attempt} failed: {error}");
                attempt += 1;
                sleep(Duration::from_millis(10)).await;
            }
            result => return result,
        }
    }
}

/// A query that fails twice: the server is busy at first.
async fn query(server: &str, attempt: u32) -> Result<String, String> {
    sleep(Duration::from_millis(5)).await;
    if attempt < 3 {
        Err(format!("{server} is busy"))
    } else {
        Ok(format!("42 rows from {server}"))
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let server = String::from("db-1");
    // The closure owns `server`, and each future it returns borrows it.
    let ask = async move |attempt: u32| query(&server, attempt).await;
    match retry(5, ask).await {
        Ok(rows) => println!("{rows}"),
        Err(error) => println!("gave up: {error}"),
    }
}
// ANCHOR_END: all
