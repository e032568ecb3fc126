use std::error::Error;
use std::net::SocketAddr;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use tokio::io::{self, AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Barrier;
use tokio::task::JoinSet;

const CLIENTS: usize = 50;

/// Every handler waits here until all clients are being served at once: a
/// server that handled one connection at a time would never get past it.
static ALL_CONNECTED: LazyLock<Barrier> = LazyLock::new(|| Barrier::new(CLIENTS));

// ANCHOR: server
/// Accepts `clients` connections and serves each in its own task.
async fn serve(listener: TcpListener, clients: usize) -> io::Result<()> {
    let mut handlers = JoinSet::new();
    for _ in 0..clients {
        let (socket, _peer) = listener.accept().await?;
        handlers.spawn(greet(socket));
    }
    while let Some(handler) = handlers.join_next().await {
        handler??; // a panic (JoinError) or an I/O error of one connection
    }
    Ok(())
}

/// Reads one line, a name, and answers with a greeting.
async fn greet(socket: TcpStream) -> io::Result<()> {
    let (reader, mut writer) = socket.into_split();
    let mut name = String::new();
    BufReader::new(reader).read_line(&mut name).await?;
    ALL_CONNECTED.wait().await; // opens once all fifty handlers are here
    tokio::time::sleep(Duration::from_millis(100)).await; // simulated work
    writer
        .write_all(format!("hello, {}\n", name.trim_end()).as_bytes())
        .await
}
// ANCHOR_END: server

// ANCHOR: client
async fn client(server: SocketAddr, id: usize) -> io::Result<String> {
    let mut socket = TcpStream::connect(server).await?;
    socket
        .write_all(format!("client-{id:02}\n").as_bytes())
        .await?;
    let mut reply = String::new();
    BufReader::new(socket).read_line(&mut reply).await?;
    Ok(reply.trim_end().to_owned())
}

// ANCHOR_END: client

// ANCHOR: main
#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    // Port 0: the OS picks a free port; local_addr says which.
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let server = tokio::spawn(serve(listener, CLIENTS));

    let start = Instant::now();
    let mut clients = JoinSet::new();
    for id in 0..CLIENTS {
        clients.spawn(client(address, id));
    }
    let mut replies = Vec::new();
    while let Some(reply) = clients.join_next().await {
        replies.push(reply??);
    }
    server.await??;

    replies.sort();
    println!(
        "{} replies, first {:?}, last {:?}",
        replies.len(),
        replies[0],
        replies[CLIENTS - 1]
    );
    let elapsed = start.elapsed();
    println!(
        "{CLIENTS} clients x 100 ms of work served in {} ms",
        elapsed.as_millis()
    );
    // ANCHOR_END: main
    report_overlap(elapsed);
    // ANCHOR: main
    Ok(())
}
// ANCHOR_END: main

/// Whether the clients were served at once: one after another, their work
/// alone takes CLIENTS x 100 ms.
fn report_overlap(elapsed: Duration) {
    let one_by_one = Duration::from_millis(100) * CLIENTS as u32;
    if elapsed < one_by_one / 10 {
        println!(
            "check: served at once: less than a tenth of the {} ms one after another",
            one_by_one.as_millis()
        );
    } else {
        println!("check: NOT served at once: a tenth of one after another, or more");
    }
}
