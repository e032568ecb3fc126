use std::error::Error;
use std::io::ErrorKind;
use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use nix::errno::Errno;
use nix::sys::resource::{Resource, getrlimit, setrlimit};
use tokio::io::{self, AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
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

/// What one client can make the server hold, and for how long.
const MAX_LINE: usize = 64; // bytes in a request line
const LINE_TIMEOUT: Duration = Duration::from_millis(300); // to receive one whole request line
const WRITE_TIMEOUT: Duration = Duration::from_secs(5); // for one reply
/// How long to wait before accepting again after running out of a resource.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Serves price requests, one task per connection, until the runtime stops.
/// What happens to each connection goes to `log`; nothing a client does can
/// end this loop.
async fn serve(listener: TcpListener, log: mpsc::Sender<String>) {
    let mut connections = 0;
    loop {
        // ANCHOR: accept
        let socket = match listener.accept().await {
            Ok((socket, _peer)) => socket,
            // That one connection failed before we took it: take the next.
            Err(error) if is_connection_error(&error) => continue,
            // Out of file descriptors (EMFILE, ENFILE) or memory (ENOBUFS,
            // ENOMEM), or an error we do not know: trying again at once
            // fails again, at full speed. Wait for something to close.
            Err(error) => {
                let pause = ACCEPT_BACKOFF.as_millis();
                let _ = log.try_send(format!("accept failed: {error}; pausing {pause} ms"));
                sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        // ANCHOR_END: accept
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

// ANCHOR: accept_errors
/// Errors that concern only the connection being accepted. Linux's accept(2)
/// returns the new connection's pending network error, and its man page says
/// to retry at once; BSD and macOS report a client that gave up while queued
/// as ECONNABORTED.
fn is_connection_error(error: &io::Error) -> bool {
    let per_connection = [
        Errno::ECONNABORTED,
        Errno::ENETDOWN,
        Errno::EPROTO,
        Errno::ENOPROTOOPT,
        Errno::EHOSTDOWN,
        #[cfg(target_os = "linux")]
        Errno::ENONET,
        Errno::EHOSTUNREACH,
        Errno::EOPNOTSUPP,
        Errno::ENETUNREACH,
    ];
    error
        .raw_os_error()
        .is_some_and(|code| per_connection.contains(&Errno::from_raw(code)))
}
// ANCHOR_END: accept_errors

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

// ANCHOR: close
/// After an error reply: how long, and how many bytes, to read and discard
/// before closing, so that unread input does not destroy the reply.
const LINGER: Duration = Duration::from_millis(100);
const MAX_DISCARD: u64 = 64 * 1024;

/// Sends a last error reply, then closes the connection without a reset.
async fn last_reply(mut lines: Framed<TcpStream, LinesCodec>, text: &str) -> io::Result<()> {
    reply(&mut lines, text).await?;
    close_gently(lines).await;
    Ok(())
}

/// Closes a connection after an error reply, while the client may still be
/// sending. Closing a socket with unread input makes Linux send a reset
/// (RST): reply bytes not yet sent are lost, and the client's next read
/// fails. So: send our end-of-stream (FIN) first, then read and discard what
/// the client still sends, for a short while and a bounded amount, then close.
async fn close_gently(lines: Framed<TcpStream, LinesCodec>) {
    let mut socket = lines.into_inner();
    if socket.shutdown().await.is_err() {
        return;
    }
    let mut rest = socket.take(MAX_DISCARD);
    let _ = timeout(LINGER, io::copy(&mut rest, &mut io::sink())).await;
}
// ANCHOR_END: close

/// What a test client does after sending its request.
#[derive(Clone, Copy)]
enum Then {
    /// Closes its sending half, as a client with nothing more to say.
    Close,
    /// Keeps its sending half open and sends nothing.
    Wait,
    /// Goes on sending digits, never a newline, until the server closes.
    KeepSending,
}

/// Sends `request`, does what `then` says, and returns every line the server
/// sent back before it closed.
async fn exchange(socket: TcpStream, request: &[u8], then: Then) -> io::Result<String> {
    let (mut reader, mut writer) = socket.into_split();
    writer.write_all(request).await?;
    let mut replies = String::new();
    match then {
        Then::Close => {
            writer.shutdown().await?;
            reader.read_to_string(&mut replies).await?;
        }
        Then::Wait => {
            reader.read_to_string(&mut replies).await?;
        }
        Then::KeepSending => {
            // The request was 64 KiB: the server has unread input when it
            // gives up on the line. More follows until the server closes.
            let sending = tokio::spawn(async move {
                let digits = vec![b'9'; 64 * 1024];
                // Ends when the server has closed and a write fails.
                while writer.write_all(&digits).await.is_ok() {}
            });
            // A reset instead of the server's end of stream makes this read
            // fail, and the program with it: close_gently is what prevents it.
            let read = reader.read_to_string(&mut replies).await;
            sending.await?;
            read.map_err(|error| io::Error::other(format!("no clean end of stream: {error}")))?;
        }
    }
    Ok(replies.trim_end().replace('\n', " | "))
}

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
        ("a line without end", &flood, Then::KeepSending),
        ("one request, after all that", b"PRICE ACME\n", Then::Close),
    ];
    // One client at a time, each followed by the server's account of it, so
    // that the output has one order.
    for (what, request, then) in clients {
        let socket = TcpStream::connect(server).await?;
        let replies = exchange(socket, request, then).await?;
        println!("client, {what}: got {replies:?}");
        let outcome = server_log.recv().await.ok_or("the server stopped")?;
        println!("  server: {outcome}");
    }
    out_of_file_descriptors(server, &mut server_log).await
}

// ANCHOR: emfile
/// Makes the server's next `accept` fail with EMFILE: a connection is made
/// while the process may open no new file descriptor. Then lifts the limit.
async fn out_of_file_descriptors(
    server: SocketAddr,
    server_log: &mut mpsc::Receiver<String>,
) -> Result<(), Box<dyn Error>> {
    let client = TcpSocket::new_v4()?; // its descriptor exists from here on
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE)?;
    // A new descriptor takes the lowest free number; a limit equal to that
    // number leaves room for none.
    let lowest_free = std::fs::File::open("/dev/null")?.as_raw_fd();
    setrlimit(Resource::RLIMIT_NOFILE, lowest_free as u64, hard)?;
    let connecting = tokio::spawn(async move {
        let socket = client.connect(server).await?;
        exchange(socket, b"PRICE INITECH\n", Then::Close).await
    });
    let event = server_log.recv().await.ok_or("the server stopped")?;
    println!("  server: {event}");
    setrlimit(Resource::RLIMIT_NOFILE, soft, hard)?; // something was closed
    let replies = connecting.await??;
    println!("client, while the server was out of descriptors: got {replies:?}");
    let outcome = loop {
        let event = server_log.recv().await.ok_or("the server stopped")?;
        // A slow machine may retry before the limit is lifted: fail again.
        if !event.starts_with("accept failed") {
            break event;
        }
    };
    println!("  server: {outcome}");
    Ok(())
}
// ANCHOR_END: emfile

#[cfg(test)]
mod tests {
    use super::*;

    fn os_error(errno: Errno) -> io::Error {
        io::Error::from_raw_os_error(errno as i32)
    }

    #[test]
    fn a_failed_connection_is_skipped_at_once() {
        for errno in [Errno::ECONNABORTED, Errno::EPROTO, Errno::ENETUNREACH] {
            assert!(is_connection_error(&os_error(errno)), "{errno}");
        }
    }

    #[test]
    fn running_out_of_a_resource_is_not_the_connection_s_fault() {
        for errno in [Errno::EMFILE, Errno::ENFILE, Errno::ENOBUFS, Errno::ENOMEM] {
            assert!(!is_connection_error(&os_error(errno)), "{errno}");
        }
        let not_from_the_os = io::Error::other("no errno");
        assert!(!is_connection_error(&not_from_the_os));
    }
}
