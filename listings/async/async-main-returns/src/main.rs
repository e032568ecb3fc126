use std::time::Duration;

/// Prints when the task's future is dropped.
struct Guard(&'static str);

impl Drop for Guard {
    fn drop(&mut self) {
        println!("{}: future dropped", self.0);
    }
}

// ANCHOR: all
#[tokio::main(flavor = "current_thread")]
async fn main() {
    tokio::spawn(async {
        let _guard = Guard("newsletter task");
        tokio::time::sleep(Duration::from_secs(3600)).await;
        println!("newsletter task: sent (never printed)");
    });
    tokio::task::spawn_blocking(|| {
        std::thread::sleep(Duration::from_millis(200));
        println!("blocking closure: finished, after main returned");
    });
    tokio::task::yield_now().await; // let the task start
    println!("main: returning");
}
// ANCHOR_END: all
