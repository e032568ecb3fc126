// ANCHOR: all
use std::time::Duration;

async fn print_numbers() {
    for i in 0..5 {
        println!("{i}");
        // Simulate a non-blocking I/O operation (the guide waits 1 s).
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::main]
async fn main() {
    print_numbers().await;
}
// ANCHOR_END: all
