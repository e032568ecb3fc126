use std::error::Error;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{self, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

const PAGES: usize = 20;
const IN_FLIGHT: usize = 4;
/// The backend's time per page, in the shop below.
const PAGE_TIME: Duration = Duration::from_millis(50);

/// Counts requests being served now, and the most there ever were.
#[derive(Default)]
struct Load {
    now: AtomicUsize,
    most: AtomicUsize,
}

/// A tiny HTTP/1.0 shop: GET /products/N answers after 50 ms.
///
/// It trusts its only client, the scraper below, on purpose: no bound on a
/// line, no timeout, and the first accept error ends it. A server open to
/// strangers needs the limits of the pages "A server that survives its
/// clients" and "Hardening a server".
async fn shop(listener: TcpListener, load: Arc<Load>) -> io::Result<()> {
    loop {
        let (mut socket, _) = listener.accept().await?;
        let load = Arc::clone(&load);
        tokio::spawn(async move {
            let serving = load.now.fetch_add(1, Ordering::SeqCst) + 1;
            load.most.fetch_max(serving, Ordering::SeqCst);
            let result = answer(&mut socket).await;
            // Counted out before the socket closes, so before the client can
            // see the end of the response and send its next request.
            load.now.fetch_sub(1, Ordering::SeqCst);
            drop(socket);
            if let Err(error) = result {
                eprintln!("shop: {error}");
            }
        });
    }
}

async fn answer(socket: &mut TcpStream) -> io::Result<()> {
    let (reader, mut writer) = socket.split();
    let mut lines = BufReader::new(reader).lines();
    let request = lines.next_line().await?.unwrap_or_default();
    while let Some(header) = lines.next_line().await? {
        if header.is_empty() {
            break;
        }
    }
    let product = request
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.strip_prefix("/products/"));
    tokio::time::sleep(PAGE_TIME).await; // a slow backend
    let body = format!(
        "<html><title>Product {}</title></html>",
        product.unwrap_or("?")
    );
    let response = format!(
        "HTTP/1.0 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    writer.write_all(response.as_bytes()).await
}

// ANCHOR: fetch
/// A page that takes longer than this is given up: a stalled server must not
/// hold a permit (and a socket) for ever.
const FETCH_TIMEOUT: Duration = Duration::from_secs(2);
/// The largest response we accept: a server must not make us hold more.
const MAX_RESPONSE: u64 = 64 * 1024;

/// Fetches one page and returns its <title>.
async fn fetch_title(shop: SocketAddr, path: String) -> io::Result<String> {
    match tokio::time::timeout(FETCH_TIMEOUT, fetch(shop, &path)).await {
        Ok(title) => title,
        Err(_) => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!("{path}: too slow"),
        )),
    }
}

async fn fetch(shop: SocketAddr, path: &str) -> io::Result<String> {
    let mut socket = TcpStream::connect(shop).await?;
    let request = format!("GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n");
    socket.write_all(request.as_bytes()).await?;
    let mut response = String::new();
    // HTTP/1.0: the server closes. take: one byte over the limit is enough
    // to know the response is too large.
    let mut capped = socket.take(MAX_RESPONSE + 1);
    capped.read_to_string(&mut response).await?;
    if response.len() as u64 > MAX_RESPONSE {
        return Err(io::Error::other(format!("{path}: response too large")));
    }
    let title = response
        .split_once("<title>")
        .and_then(|(_, rest)| rest.split_once("</title>"))
        .map(|(title, _)| title.to_owned());
    title.ok_or_else(|| io::Error::other(format!("{path}: no title in the response")))
}

// ANCHOR_END: fetch

// ANCHOR: scraper
/// Every page's own result: one slow or broken page fails alone.
async fn scrape(shop: SocketAddr) -> Vec<(usize, io::Result<String>)> {
    // At most IN_FLIGHT requests at a time, however many pages are queued:
    // politeness towards the server, and a bound on our own sockets.
    let permits = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut fetches = JoinSet::new();
    for product in 1..=PAGES {
        let permits = Arc::clone(&permits);
        fetches.spawn(async move {
            // Held until the end of this block: dropping it frees the slot.
            let _permit = permits.acquire_owned().await.expect("semaphore closed");
            (
                product,
                fetch_title(shop, format!("/products/{product}")).await,
            )
        });
    }
    // join_all waits for every task; a panic in one (a bug) is re-raised.
    fetches.join_all().await
}
// ANCHOR_END: scraper

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let load = Arc::new(Load::default());
    let server = tokio::spawn(shop(listener, Arc::clone(&load)));

    let start = Instant::now();
    let mut pages = scrape(address).await;
    let elapsed = start.elapsed();
    server.abort(); // the shop would accept forever; stop it

    pages.sort_by_key(|(product, _)| *product);
    let mut titles = Vec::new();
    for (product, page) in pages {
        match page {
            Ok(title) => titles.push(title),
            Err(error) => println!("page {product} failed: {error}"),
        }
    }
    println!(
        "{} titles, {} pages failed: {:?} ... {:?}",
        titles.len(),
        PAGES - titles.len(),
        titles.first().ok_or("no page arrived")?,
        titles.last().ok_or("no page arrived")?
    );
    println!(
        "most requests the shop served at once: {} (limit {IN_FLIGHT})",
        load.most.load(Ordering::SeqCst)
    );
    report_time(elapsed);
    Ok(())
}

/// Compares the time taken with the least that one page after another
/// would need, and says whether the fetches overlapped.
fn report_time(elapsed: Duration) {
    let one_by_one = PAGE_TIME * PAGES as u32;
    let share = elapsed.as_secs_f64() / one_by_one.as_secs_f64();
    println!(
        "{PAGES} pages x {} ms fetched in {} ms, {share:.2} of the {} ms one by one needs",
        PAGE_TIME.as_millis(),
        elapsed.as_millis(),
        one_by_one.as_millis()
    );
    let verdict = if share < 0.5 {
        "the fetches overlapped: less than half the one-by-one time"
    } else {
        "NO overlap to speak of: half the one-by-one time or more"
    };
    println!("check: {verdict}");
}
