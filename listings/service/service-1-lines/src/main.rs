use std::collections::HashMap;
use std::io;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;
use tokio_util::codec::{Framed, LinesCodec, LinesCodecError};

// ANCHOR: state
/// What every connection shares. The lock is a std `Mutex`: it is held for
/// one map operation and never across an `.await`.
#[derive(Default)]
struct State {
    notes: Mutex<HashMap<String, String>>,
}

/// How many notes the server keeps. Each is at most one line long, so all
/// the clients together can make it hold at most this many lines.
const MAX_NOTES: usize = 1000;

/// What one client can make the server hold, and for how long.
#[derive(Clone, Copy)]
struct Limits {
    max_line: usize, // bytes in one request line
    idle: Duration,  // between two requests
    write: Duration, // to take one answer
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_line: 256,
            idle: Duration::from_secs(30),
            write: Duration::from_secs(5),
        }
    }
}
// ANCHOR_END: state

// ANCHOR: accept
/// Accepts connections for ever, one task each. Nothing a client does can
/// end this loop: a failed accept only costs that one client.
async fn serve(listener: TcpListener, state: Arc<State>, limits: Limits) {
    loop {
        let socket = match listener.accept().await {
            Ok((socket, _peer)) => socket,
            Err(error) => {
                eprintln!("accept failed: {error}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let state = Arc::clone(&state);
        tokio::spawn(async move {
            if let Err(error) = handle(socket, state, limits).await {
                eprintln!("connection dropped: {error}");
            }
        });
    }
}
// ANCHOR_END: accept

type Lines = Framed<TcpStream, LinesCodec>;

// ANCHOR: handle
/// One connection: a request line in, an answer line out, until the client
/// closes, stays idle too long, or the connection fails.
async fn handle(socket: TcpStream, state: Arc<State>, limits: Limits) -> io::Result<()> {
    let codec = LinesCodec::new_with_max_length(limits.max_line);
    let mut lines = Framed::new(socket, codec);
    loop {
        let answer = match timeout(limits.idle, lines.next()).await {
            Err(_elapsed) => {
                let idle = limits.idle.as_millis();
                return reply(&mut lines, &format!("error: idle for {idle} ms"), limits).await;
            }
            Ok(None) => return Ok(()), // the client closed
            Ok(Some(Ok(line))) => answer(&state, &line),
            // A line too long: answer, then close the connection.
            Ok(Some(Err(LinesCodecError::MaxLineLengthExceeded))) => {
                let error = format!("error: line longer than {} bytes", limits.max_line);
                return reply(&mut lines, &error, limits).await;
            }
            Ok(Some(Err(LinesCodecError::Io(error)))) => return Err(error),
        };
        reply(&mut lines, &answer, limits).await?;
    }
}

/// Sends one line, giving up if the client does not take it in time.
async fn reply(lines: &mut Lines, text: &str, limits: Limits) -> io::Result<()> {
    match timeout(limits.write, lines.send(text)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => Err(io::Error::other(error)),
        Err(_elapsed) => Err(io::Error::other("the client stopped reading")),
    }
}
// ANCHOR_END: handle

// ANCHOR: answer
/// The protocol: `SET <key> <value>` and `GET <key>`.
fn answer(state: &State, line: &str) -> String {
    let mut words = line.splitn(3, ' ');
    match (words.next(), words.next(), words.next()) {
        (Some("SET"), Some(key), Some(value)) => {
            let mut notes = state.notes.lock().unwrap();
            // Every client adds to the same map: past the cap, a new key is
            // refused, and replacing a note is still allowed.
            if notes.len() >= MAX_NOTES && !notes.contains_key(key) {
                return format!("error: the notes are full ({MAX_NOTES} notes)");
            }
            notes.insert(key.to_owned(), value.to_owned());
            "OK".to_owned()
        }
        (Some("GET"), Some(key), None) => match state.notes.lock().unwrap().get(key) {
            Some(value) => value.clone(),
            None => format!("error: no key {key}"),
        },
        _ => "error: unknown request (try SET <key> <value> or GET <key>)".to_owned(),
    }
}
// ANCHOR_END: answer

/// A client of the demo: sends each line and prints it with the answer.
async fn client(name: &str, addr: std::net::SocketAddr, requests: &[&str]) -> Lines {
    let socket = TcpStream::connect(addr).await.expect("connect");
    let mut lines = Framed::new(socket, LinesCodec::new());
    for request in requests {
        lines.send(*request).await.expect("send");
        let answer = lines.next().await.expect("an answer").expect("a line");
        let shown = if request.len() > 40 {
            format!("<a line of {} bytes>", request.len())
        } else {
            request.to_string()
        };
        println!("{name}> {shown}");
        println!("{name}< {answer}");
    }
    lines
}

/// Stores notes under new keys until the server refuses one (at most 5000
/// tries), and prints how many it stored and the refusal.
async fn fill_notes(name: &str, addr: std::net::SocketAddr) {
    let socket = TcpStream::connect(addr).await.expect("connect");
    let mut lines = Framed::new(socket, LinesCodec::new());
    for n in 0..5000 {
        lines.send(format!("SET {name}{n} x")).await.expect("send");
        let answer = lines.next().await.expect("an answer").expect("a line");
        if answer != "OK" {
            println!("{name}> SET {name}0 x ... SET {name}{n} x");
            println!("{name}< OK ({n} times), then: {answer}");
            return;
        }
    }
    println!("{name}: 5000 new notes stored, none refused");
}

// ANCHOR: main
#[tokio::main]
async fn main() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let state = Arc::new(State::default());
    // A short idle limit, so that the quiet client below is dropped soon.
    let limits = Limits {
        idle: Duration::from_millis(300),
        ..Limits::default()
    };
    tokio::spawn(serve(listener, state, limits));
    // ANCHOR_END: main

    // Two clients share the notes.
    client("ada", addr, &["SET greeting hello", "GET greeting"]).await;
    client("bob", addr, &["GET greeting", "GET weather", "HELLO"]).await;
    // Twenty clients at once, each with its own key, then one reads them.
    let mut writers = tokio::task::JoinSet::new();
    for n in 0..20 {
        writers.spawn(async move {
            let socket = TcpStream::connect(addr).await.expect("connect");
            let mut lines = Framed::new(socket, LinesCodec::new());
            lines.send(format!("SET key{n} {n}")).await.expect("send");
            lines.next().await.expect("an answer").expect("a line")
        });
    }
    let answers = writers.join_all().await;
    let ok = answers.iter().filter(|a| *a == "OK").count();
    println!("20 clients at once: {ok} answered OK");
    client("cat", addr, &["GET key7", "GET key19"]).await;
    // A greedy client: new keys until the server refuses one.
    fill_notes("fay", addr).await;
    // A hostile client: a line far over the limit, then a normal request.
    let long = format!("SET big {}", "x".repeat(1000));
    let mut eve = client("eve", addr, &[&long]).await;
    println!(
        "eve: connection closed by the server: {}",
        eve.next().await.is_none()
    );
    // A quiet client: connects and says nothing.
    let mut quiet = client("zed", addr, &[]).await;
    let last = quiet.next().await.expect("a line").expect("text");
    println!("zed< {last}");
    let end = quiet.next().await;
    println!("zed: connection closed by the server: {}", end.is_none());
}
