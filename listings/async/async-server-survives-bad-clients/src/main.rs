use std::error::Error;
use std::io::ErrorKind;
use std::net::SocketAddr;

use tokio::io::{self, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

fn price(ticker: &str) -> Option<&'static str> {
    match ticker {
        "ACME" => Some("101.25"),
        "INITECH" => Some("42.00"),
        _ => None,
    }
}

// ANCHOR: server
/// Serves price requests, one task per connection, until the runtime stops.
/// What happens to each connection goes to `log`; nothing a client does can
/// end this loop.
async fn serve(listener: TcpListener, log: mpsc::UnboundedSender<String>) {
    let mut connections = 0;
    loop {
        // An error here is about one connection that could not be accepted
        // (a reset before accept, or no file descriptors left): skip it.
        let Ok((socket, _peer)) = listener.accept().await else {
            continue;
        };
        connections += 1;
        let id = connections;
        let log = log.clone();
        tokio::spawn(async move {
            let outcome = match handle(socket).await {
                Ok(answered) => format!("closed by the client after {answered} answer(s)"),
                Err(error) => format!("dropped: {error}"),
            };
            // The log's receiver may be gone when the program ends.
            let _ = log.send(format!("connection {id}: {outcome}"));
        });
    }
}

/// One connection: a line `PRICE <ticker>` in, a line out, until the client
/// closes. A bad connection ends with an error, and only this task sees it.
async fn handle(socket: TcpStream) -> io::Result<usize> {
    let (reader, mut writer) = socket.into_split();
    let mut reader = BufReader::new(reader);
    let mut line = Vec::new(); // bytes: garbage need not be UTF-8
    let mut answered = 0;
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return Ok(answered); // the client closed between requests
        }
        if line.last() != Some(&b'\n') {
            let message = "the client left in the middle of a request";
            return Err(io::Error::new(ErrorKind::UnexpectedEof, message));
        }
        let request = std::str::from_utf8(&line).ok().map(str::trim_end);
        let Some(ticker) = request.and_then(|r| r.strip_prefix("PRICE ")) else {
            writer.write_all(b"error: not a request\n").await?;
            let message = "garbage instead of a request";
            return Err(io::Error::new(ErrorKind::InvalidData, message));
        };
        let reply = match price(ticker) {
            Some(price) => format!("{ticker} {price}\n"),
            None => format!("error: no price for {ticker}\n"),
        };
        writer.write_all(reply.as_bytes()).await?;
        answered += 1;
    }
}
// ANCHOR_END: server

/// Sends `request` as it is, closes the sending half, and returns every
/// line the server sent back before it closed.
async fn exchange(server: SocketAddr, request: &[u8]) -> io::Result<String> {
    let mut socket = TcpStream::connect(server).await?;
    socket.write_all(request).await?;
    socket.shutdown().await?;
    let mut replies = String::new();
    socket.read_to_string(&mut replies).await?;
    Ok(replies.trim_end().replace('\n', " | "))
}

// ANCHOR: clients
#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let server = listener.local_addr()?;
    let (log, mut server_log) = mpsc::unbounded_channel();
    tokio::spawn(serve(listener, log));

    let clients: [(&str, &[u8]); 4] = [
        ("two requests", b"PRICE ACME\nPRICE INITECH\n"),
        ("garbage", b"\xff\xfe\x00 hello?\n"),
        ("half a request", b"PRICE AC"),
        ("one request, after all that", b"PRICE ACME\n"),
    ];
    // One client at a time, each followed by the server's account of it, so
    // that the output has one order.
    for (what, request) in clients {
        let replies = exchange(server, request).await?;
        println!("client, {what}: got {replies:?}");
        let outcome = server_log.recv().await.ok_or("the server stopped")?;
        println!("  server: {outcome}");
    }
    Ok(())
}
// ANCHOR_END: clients
