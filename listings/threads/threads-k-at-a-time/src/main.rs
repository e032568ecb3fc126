use std::process;
use std::sync::Mutex;
use std::time::{Duration, Instant};

// ANCHOR: all
use std::thread;

use crossbeam::channel;
// ANCHOR_END: all

const URLS: [&str; 6] = [
    "https://example.com/index.html",
    "https://example.com/about.html",
    "https://example.com/logo.png",
    "https://example.com/style.css",
    "https://example.com/app.js",
    "https://example.com/feed.xml",
];
const DOWNLOAD_TIME: Duration = Duration::from_millis(100);

/// When each download began and ended, for the check at the end of `main`.
static DOWNLOADS: Mutex<Vec<(Instant, Instant)>> = Mutex::new(Vec::new());

/// Stands for a download: waits as a network would, and returns a size.
fn fetch(url: &str) -> usize {
    let began = Instant::now();
    thread::sleep(DOWNLOAD_TIME);
    DOWNLOADS.lock().unwrap().push((began, Instant::now()));
    url.len() * 100
}

// ANCHOR: all
fn main() {
    // ANCHOR_END: all
    let started = Instant::now();
    // ANCHOR: all
    // At most 2 downloads at once, like ThreadPoolExecutor(max_workers=2).
    let at_once = 2;
    let (job_sender, jobs) = channel::unbounded();
    for job in URLS.iter().enumerate() {
        job_sender.send(job).unwrap();
    }
    // No more jobs will come: the workers stop once the channel is empty.
    drop(job_sender);

    let mut sizes: Vec<(usize, usize)> = thread::scope(|scope| {
        let workers: Vec<_> = (0..at_once)
            .map(|_| {
                // crossbeam's receivers can be cloned: the workers share
                // one queue, and each job goes to one of them.
                let jobs = jobs.clone();
                // Each worker takes jobs until the channel is empty and
                // closed, one download at a time.
                scope.spawn(move || {
                    jobs.iter()
                        .map(|(index, url)| (index, fetch(url)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().unwrap())
            .collect()
    });
    // Back in the order of URLS, as Executor.map returns its results.
    sizes.sort();
    for (index, size) in sizes {
        println!("{:<32} {size} bytes", URLS[index]);
    }
    // ANCHOR_END: all
    let elapsed = started.elapsed().as_millis();
    // The most downloads under way at one moment: at each download's start,
    // count the downloads that had begun and not yet ended.
    let downloads = DOWNLOADS.lock().unwrap();
    let most = downloads
        .iter()
        .map(|&(start, _)| {
            downloads
                .iter()
                .filter(|&&(began, ended)| began <= start && start < ended)
                .count()
        })
        .max()
        .unwrap_or(0);
    println!(
        "check: {} downloads of {} ms each, {at_once} workers: {elapsed} ms in all, \
         at most {most} at once",
        downloads.len(),
        DOWNLOAD_TIME.as_millis()
    );
    if downloads.len() != URLS.len() || most != at_once {
        println!(
            "check: expected every download made, {at_once} of them at once at the busiest moment"
        );
        process::exit(1);
    }
    // ANCHOR: all
}
// ANCHOR_END: all
