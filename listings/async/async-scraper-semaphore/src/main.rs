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

/// Counts requests being served now, and the most there ever were.
#[derive(Default)]
struct Load {
    now: AtomicUsize,
    most: AtomicUsize,
}

/// A tiny HTTP/1.0 shop: GET /products/N answers after 50 ms.
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
    tokio::time::sleep(Duration::from_millis(50)).await; // a slow backend
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
    socket.read_to_string(&mut response).await?; // HTTP/1.0: the server closes
    let title = response
        .split_once("<title>")
        .and_then(|(_, rest)| rest.split_once("</title>"))
        .map(|(title, _)| title.to_owned());
    title.ok_or_else(|| io::Error::other(format!("{path}: no title in the response")))
}

// ANCHOR_END: fetch

// ANCHOR: scraper
async fn scrape(shop: SocketAddr) -> io::Result<Vec<String>> {
    // At most IN_FLIGHT requests at a time, however many pages are queued:
    // politeness towards the server, and a bound on our own sockets.
    let permits = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut fetches = JoinSet::new();
    for product in 1..=PAGES {
        let permits = Arc::clone(&permits);
        fetches.spawn(async move {
            // Held until the end of this block: dropping it frees the slot.
            let _permit = permits.acquire_owned().await.expect("semaphore closed");
            fetch_title(shop, format!("/products/{product}")).await
        });
    }
    let mut titles = Vec::new();
    while let Some(fetched) = fetches.join_next().await {
        titles.push(fetched??);
    }
    Ok(titles)
}
// ANCHOR_END: scraper

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let load = Arc::new(Load::default());
    let server = tokio::spawn(shop(listener, Arc::clone(&load)));

    let start = Instant::now();
    let mut titles = scrape(address).await?;
    let elapsed = start.elapsed();
    server.abort(); // the shop would accept forever; stop it

    titles.sort_by_key(|t| {
        t.trim_start_matches("Product ")
            .parse::<usize>()
            .unwrap_or(0)
    });
    println!(
        "{} titles: {:?} ... {:?}",
        titles.len(),
        titles[0],
        titles[PAGES - 1]
    );
    println!(
        "most requests the shop served at once: {} (limit {IN_FLIGHT})",
        load.most.load(Ordering::SeqCst)
    );
    println!(
        "{PAGES} pages x 50 ms fetched in {} ms",
        elapsed.as_millis()
    );
    Ok(())
}
