use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

// ANCHOR: all
use tokio::sync::Semaphore;
use tokio::time::{Instant, sleep};

// ANCHOR_END: all
/// How many uploads the server takes at once.
const SERVER_LIMIT: usize = 3;

/// A stand-in for a real server: it refuses an upload while three are open.
struct Server {
    open: AtomicUsize,
}

impl Server {
    async fn upload(&self, file: u32) -> Result<(), String> {
        if self.open.fetch_add(1, Ordering::SeqCst) >= SERVER_LIMIT {
            self.open.fetch_sub(1, Ordering::SeqCst);
            return Err(format!("file {file}: refused, the server is busy"));
        }
        sleep(Duration::from_millis(100)).await; // sending the file
        self.open.fetch_sub(1, Ordering::SeqCst);
        Ok(())
    }
}

// ANCHOR: all
#[tokio::main(flavor = "current_thread", start_paused = true)]
async fn main() -> Result<(), tokio::task::JoinError> {
    let server = Arc::new(Server {
        open: AtomicUsize::new(0),
    });
    let slots = Arc::new(Semaphore::new(SERVER_LIMIT));
    let start = Instant::now();
    let mut uploads = Vec::new();
    for file in 1..=8 {
        let server = Arc::clone(&server);
        let slots = Arc::clone(&slots);
        uploads.push(tokio::spawn(async move {
            // Held until the upload returns: `let _ =` would drop it at once.
            let _slot = slots.acquire_owned().await.expect("never closed");
            server.upload(file).await
        }));
    }
    let mut refused = 0;
    for upload in uploads {
        if let Err(why) = upload.await? {
            println!("{why}");
            refused += 1;
        }
    }
    let took = start.elapsed().as_millis();
    let verdict = if refused == 0 {
        "every upload got in"
    } else {
        "the server was swamped"
    };
    println!("refused: {refused} of 8 after {took} ms (goal: none): {verdict}");
    // ANCHOR_END: all
    if refused > 0 {
        std::process::exit(1);
    }
    // ANCHOR: all
    Ok(())
}
// ANCHOR_END: all
