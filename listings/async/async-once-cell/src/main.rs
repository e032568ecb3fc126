// ANCHOR: all
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::OnceCell;
use tokio::time::{Instant, sleep};

/// Loaded on first use, by whichever task asks first.
static SETTINGS: OnceCell<String> = OnceCell::const_new();

/// How many times `load_settings` ran.
static LOADS: AtomicUsize = AtomicUsize::new(0);

async fn load_settings() -> String {
    LOADS.fetch_add(1, Ordering::Relaxed);
    sleep(Duration::from_millis(100)).await; // a slow fetch
    "region=eu".to_string()
}

async fn settings() -> &'static str {
    SETTINGS.get_or_init(load_settings).await
}

#[tokio::main(flavor = "current_thread", start_paused = true)]
async fn main() -> Result<(), tokio::task::JoinError> {
    let start = Instant::now();
    let requests: Vec<_> = (1..=3)
        .map(|id| {
            tokio::spawn(async move {
                let value = settings().await;
                let at = start.elapsed().as_millis();
                format!("request {id}: {value} after {at} ms")
            })
        })
        .collect();
    for request in requests {
        println!("{}", request.await?);
    }
    let loads = LOADS.load(Ordering::Relaxed);
    println!("the settings were loaded {loads} time(s)");
    Ok(())
}
// ANCHOR_END: all
