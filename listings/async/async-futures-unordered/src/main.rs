use std::collections::HashSet;
use std::time::Duration;

use futures::stream::{self, BoxStream, FuturesUnordered, StreamExt};
use tokio::time::{Instant, sleep};

// ANCHOR: crawl
/// The site: each page, how long it takes to fetch, and its links.
const SITE: &[(&str, u64, &[&str])] = &[
    ("/", 10, &["/a", "/b"]),
    ("/a", 30, &["/a/1", "/a/2", "/b"]),
    ("/b", 20, &["/b/1"]),
    ("/a/1", 10, &[]),
    ("/a/2", 25, &[]),
    ("/b/1", 30, &["/"]),
];

/// Fetches one page and returns the links on it.
async fn fetch(page: &'static str) -> (&'static str, &'static [&'static str]) {
    let (_, millis, links) = SITE.iter().find(|(path, ..)| *path == page).unwrap();
    sleep(Duration::from_millis(*millis)).await;
    (page, *links)
}

/// Fetches every page reachable from "/", each as soon as it is found.
async fn crawl() -> Vec<&'static str> {
    let mut seen = HashSet::from(["/"]);
    let mut in_flight = FuturesUnordered::new();
    in_flight.push(fetch("/"));
    let mut done = Vec::new();
    // Results come in the order the fetches finish.
    while let Some((page, links)) = in_flight.next().await {
        done.push(page);
        for &link in links {
            if seen.insert(link) {
                in_flight.push(fetch(link)); // the set grows as it runs
            }
        }
    }
    done
}
// ANCHOR_END: crawl

// ANCHOR: merge
/// A price feed: one quote every `period` ms, for ever.
fn feed(name: &'static str, period: u64) -> BoxStream<'static, String> {
    stream::unfold(1, move |n| async move {
        sleep(Duration::from_millis(period)).await;
        Some((format!("{name} #{n}"), n + 1))
    })
    .boxed()
}

#[tokio::main(flavor = "current_thread", start_paused = true)]
async fn main() {
    let start = Instant::now();
    let pages = crawl().await;
    let took = start.elapsed().as_millis();
    println!("crawled {} pages in {took} ms: {pages:?}", pages.len());

    // Three streams become one: each item as soon as its feed has it.
    let feeds = stream::select_all([feed("fast", 30), feed("slow", 70), feed("rare", 110)]);
    let first: Vec<String> = feeds.take(5).collect().await;
    let at = start.elapsed().as_millis() - took;
    println!("the first five quotes, after {at} ms: {first:?}");
}
// ANCHOR_END: merge
