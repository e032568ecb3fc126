use std::error::Error;
use std::io::ErrorKind;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use tokio::io::{self, AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::time::{sleep, timeout};
use tokio_util::codec::{Framed, LinesCodec, LinesCodecError};

fn price(ticker: &str) -> Option<&'static str> {
    match ticker {
        "ACME" => Some("101.25"),
        "INITECH" => Some("42.00"),
        _ => None,
    }
}

// ANCHOR: limits
/// What one client can make the server hold, and for how long.
const MAX_LINE: usize = 64; // bytes in a request line
const LINE_TIMEOUT: Duration = Duration::from_millis(300); // to receive one whole request line
const WRITE_TIMEOUT: Duration = Duration::from_secs(5); // for one reply
/// How long to wait before accepting again after `accept` failed.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);
// ANCHOR_END: limits

// ANCHOR: accept
/// Serves price requests, one task per connection, until the runtime stops.
/// What happens to each connection goes to `log`; nothing a client does can
/// end this loop.
async fn serve(listener: TcpListener, log: mpsc::Sender<String>) {
    let mut connections = 0;
    loop {
        let socket = match listener.accept().await {
            Ok((socket, _peer)) => socket,
            // Most often out of file descriptors: trying again at once would
            // fail again, at full speed. Wait for something to close.
            Err(error) => {
                let pause = ACCEPT_BACKOFF.as_millis();
                let _ = log.try_send(format!("accept failed: {error}; pausing {pause} ms"));
                sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        connections += 1;
        let id = connections;
        let log = log.clone();
        tokio::spawn(async move {
            let outcome = match handle(socket).await {
                Ok(answered) => format!("closed by the client after {answered} answer(s)"),
                Err(error) => format!("dropped: {error}"),
            };
            // try_send: a full (or closed) log loses the line rather than
            // hold up the server.
            let _ = log.try_send(format!("connection {id}: {outcome}"));
        });
    }
}
// ANCHOR_END: accept

// ANCHOR: handle
/// One connection: a line `PRICE <ticker>` in, a line out, until the client
/// closes. A bad connection ends with an error, and only this task sees it.
async fn handle(socket: TcpStream) -> io::Result<usize> {
    let mut lines = Framed::new(socket, LinesCodec::new_with_max_length(MAX_LINE));
    let mut answered = 0;
    loop {
        let line = match timeout(LINE_TIMEOUT, lines.next()).await {
            Err(_elapsed) => {
                let limit = LINE_TIMEOUT.as_millis();
                let message = format!("no complete line within {limit} ms");
                return Err(io::Error::new(ErrorKind::TimedOut, message));
            }
            Ok(None) => return Ok(answered), // the client closed
            Ok(Some(Ok(line))) => line,
            Ok(Some(Err(LinesCodecError::MaxLineLengthExceeded))) => {
                last_reply(lines, "error: line too long").await?;
                let message = format!("a line longer than {MAX_LINE} bytes");
                return Err(io::Error::new(ErrorKind::InvalidData, message));
            }
            // Not UTF-8, or the connection failed.
            Ok(Some(Err(LinesCodecError::Io(error)))) => {
                if error.kind() == ErrorKind::InvalidData {
                    last_reply(lines, "error: not a request").await?;
                }
                return Err(error);
            }
        };
        let Some(ticker) = line.strip_prefix("PRICE ") else {
            last_reply(lines, "error: not a request").await?;
            return Err(io::Error::new(ErrorKind::InvalidData, "not a request"));
        };
        let answer = match price(ticker) {
            Some(price) => format!("{ticker} {price}"),
            None => format!("error: no price for {ticker}"),
        };
        reply(&mut lines, &answer).await?;
        answered += 1;
    }
}
// ANCHOR_END: handle

// ANCHOR: reply
/// Sends one line, giving up if the client does not take it in time.
async fn reply(lines: &mut Framed<TcpStream, LinesCodec>, text: &str) -> io::Result<()> {
    match timeout(WRITE_TIMEOUT, lines.send(text)).await {
        Err(_elapsed) => Err(io::Error::new(
            ErrorKind::TimedOut,
            "the client stopped reading",
        )),
        Ok(Err(LinesCodecError::Io(error))) => Err(error),
        Ok(Err(LinesCodecError::MaxLineLengthExceeded)) => unreachable!("encoding has no limit"),
        Ok(Ok(())) => Ok(()),
    }
}

/// Sends a last error reply. Dropping `lines` then closes the connection.
async fn last_reply(mut lines: Framed<TcpStream, LinesCodec>, text: &str) -> io::Result<()> {
    reply(&mut lines, text).await
}
// ANCHOR_END: reply

/// What a test client does after sending its request.
#[derive(Clone, Copy)]
enum Then {
    /// Closes its sending half, as a client with nothing more to say.
    Close,
    /// Keeps its sending half open and sends nothing more.
    Wait,
}

/// Sends `request`, does what `then` says, and returns every line the server
/// sent back before it closed, and how the connection ended if not cleanly.
async fn exchange(socket: TcpStream, request: &[u8], then: Then) -> io::Result<String> {
    let (mut reader, mut writer) = socket.into_split();
    writer.write_all(request).await?;
    let mut received = Vec::new();
    let ending = match then {
        Then::Close => {
            writer.shutdown().await?;
            reader.read_to_end(&mut received).await
        }
        // On an error, what was read before it is kept in `received`.
        Then::Wait => reader.read_to_end(&mut received).await,
    };
    let replies = String::from_utf8_lossy(&received);
    let replies = format!("{:?}", replies.trim_end().replace('\n', " | "));
    Ok(match ending {
        Ok(_) => replies,
        Err(error) => format!("{replies}, then {error}"),
    })
}

// ANCHOR: clients
#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let server = listener.local_addr()?;
    // The server's account of each connection, for this demo to print. A
    // real server would use a logging crate (tracing) instead.
    let (log, mut server_log) = mpsc::channel(16);
    tokio::spawn(serve(listener, log));

    let flood = vec![b'9'; 64 * 1024]; // no newline, ever
    let clients: [(&str, &[u8], Then); 5] = [
        ("two requests", b"PRICE ACME\nPRICE INITECH\n", Then::Close),
        ("garbage", b"\xff\xfe\x00 hello?\n", Then::Close),
        ("silent", b"", Then::Wait),
        ("a line without end", &flood, Then::Wait),
        ("one request, after all that", b"PRICE ACME\n", Then::Close),
    ];
    // One client at a time, each followed by the server's account of it, so
    // that the output has one order.
    for (what, request, then) in clients {
        let socket = TcpStream::connect(server).await?;
        let replies = exchange(socket, request, then).await?;
        println!("client, {what}: got {replies}");
        let outcome = server_log.recv().await.ok_or("the server stopped")?;
        println!("  server: {outcome}");
    }
    Ok(())
}
// ANCHOR_END: clients
