use std::time::{Duration, Instant};

// ANCHOR: all
/// Reports on drop whether the download it belongs to got to the end.
struct Progress {
    mirror: &'static str,
    finished: bool,
}

impl Drop for Progress {
    fn drop(&mut self) {
        if !self.finished {
            println!("{}: dropped mid-download (cancelled)", self.mirror);
        }
    }
}

async fn download(mirror: &'static str, millis: u64) -> &'static str {
    let mut progress = Progress {
        mirror,
        finished: false,
    };
    println!("{mirror}: started");
    tokio::time::sleep(Duration::from_millis(millis)).await;
    progress.finished = true;
    mirror
}

#[tokio::main]
async fn main() {
    let start = Instant::now();
    let winner = tokio::select! {
        // biased: poll the branches in the order written (the default picks
        // a random order each time, for fairness), so the output is stable.
        biased;
        mirror = download("eu-mirror", 50) => mirror,
        mirror = download("us-mirror", 5_000) => mirror,
    };
    println!("winner: {winner}");
    let elapsed = start.elapsed();
    println!("select! returned after {} ms", elapsed.as_millis());
    // ANCHOR_END: all
    // The verdict: had select! waited for the loser, 5000 ms would have passed.
    if elapsed < Duration::from_millis(5_000) {
        println!("check: it did not wait for the loser's 5000 ms");
    } else {
        println!("check: it WAITED for the loser");
    }
    // ANCHOR: all
}
// ANCHOR_END: all
