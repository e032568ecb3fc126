use std::collections::HashMap;
use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::timeout;
use tokio_util::codec::{Framed, LinesCodec, LinesCodecError};

/// What every connection shares. The lock is a std `Mutex`: it is held for
/// one map operation and never across an `.await`.
// ANCHOR: state
struct State {
    notes: Mutex<HashMap<String, String>>,
    /// One permit per computation allowed to run at a time.
    cpu: Arc<Semaphore>,
}

/// How many notes the server keeps. Each is at most one line long, so all
/// the clients together can make it hold at most this many lines.
const MAX_NOTES: usize = 1000;

impl State {
    fn new(cpu_workers: usize) -> Self {
        State {
            notes: Mutex::default(),
            cpu: Arc::new(Semaphore::new(cpu_workers)),
        }
    }
}
// ANCHOR_END: state

/// What one client can make the server hold, and for how long.
#[derive(Clone, Copy)]
struct Limits {
    max_line: usize, // bytes in one request line
    idle: Duration,  // between two requests
    write: Duration, // to take one answer
    max_primes: u64, // the largest n of PRIMES n
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_line: 256,
            idle: Duration::from_secs(30),
            write: Duration::from_secs(5),
            max_primes: 2_000_000,
        }
    }
}

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

type Lines = Framed<TcpStream, LinesCodec>;

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
            Ok(Some(Ok(line))) => answer(&state, &line, limits).await,
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

/// The protocol: `SET <key> <value>`, `GET <key>` and `PRIMES <n>`.
async fn answer(state: &State, line: &str, limits: Limits) -> String {
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
        // ANCHOR: answer
        (Some("PRIMES"), Some(n), None) => match n.parse() {
            Ok(n) if n <= limits.max_primes => primes(state, n).await,
            Ok(_) => format!("error: n must be at most {}", limits.max_primes),
            Err(_) => format!("error: {n} is not a number"),
        },
        // ANCHOR_END: answer
        _ => "error: unknown request".to_owned(),
    }
}

// ANCHOR: primes
/// Counts on a blocking thread, at most `cpu` computations at a time. The
/// task waits for its turn at `acquire_owned`, which holds no thread.
async fn primes(state: &State, n: u64) -> String {
    let permit = Arc::clone(&state.cpu).acquire_owned().await;
    let permit = permit.expect("the semaphore is never closed");
    let counted = tokio::task::spawn_blocking(move || {
        let _permit = permit; // given back when the count ends
        count_primes(n)
    })
    .await;
    match counted {
        Ok(count) => format!("{count} primes below {n}"),
        Err(_panicked) => "error: the computation failed".to_owned(),
    }
}

// ANCHOR_END: primes

/// How many counts run now, and the most that ever ran at once.
static RUNNING: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// Trial division: slow on purpose, so that it is worth moving off the
/// runtime. It also notes how many counts run at the same time.
fn count_primes(n: u64) -> usize {
    let now = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
    PEAK.fetch_max(now, Ordering::SeqCst);
    let count = (2..n)
        .filter(|&k| (2..).take_while(|d| d * d <= k).all(|d| k % d != 0))
        .count();
    RUNNING.fetch_sub(1, Ordering::SeqCst);
    count
}

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

// ANCHOR: main
#[tokio::main]
async fn main() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    // Two computations at a time, whatever the number of cores.
    let state = Arc::new(State::new(2));
    tokio::spawn(serve(listener, state, Limits::default()));
    // ANCHOR_END: main

    client(
        "ada",
        addr,
        &["PRIMES 100", "PRIMES 1000000000", "PRIMES ten"],
    )
    .await;
    client("ada", addr, &["SET greeting hello"]).await;
    // Four long counts at once, on two permits; a quick GET meanwhile.
    let done = Arc::new(AtomicUsize::new(0));
    let mut counters = tokio::task::JoinSet::new();
    for name in ["bob", "cat", "dan", "eve"] {
        let done = Arc::clone(&done);
        counters.spawn(async move {
            let socket = TcpStream::connect(addr).await.expect("connect");
            let mut lines = Framed::new(socket, LinesCodec::new());
            lines.send(format!("PRIMES {LONG}")).await.expect("send");
            let answer = lines.next().await.expect("an answer").expect("a line");
            done.fetch_add(1, Ordering::SeqCst);
            format!("{name}> PRIMES {LONG}\n{name}< {answer}")
        });
    }
    client("zed", addr, &["GET greeting"]).await;
    let finished = done.load(Ordering::SeqCst);
    println!(
        "zed was answered before the four counts ended: {}",
        finished < 4
    );
    let mut answers = counters.join_all().await;
    answers.sort();
    for answer in answers {
        println!("{answer}");
    }
    // The semaphore's lesson: never more counts at once than its permits.
    let peak = PEAK.load(Ordering::SeqCst);
    println!("counts running at the same time, at most: {peak} (permits: 2)");
    if peak > 2 {
        std::process::exit(1);
    }
}

/// Big enough to keep a thread busy for a good part of a second.
const LONG: u64 = 150_000;
