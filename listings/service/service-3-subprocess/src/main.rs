use std::collections::{HashMap, VecDeque};
use std::io;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::process::Command;
use tokio::sync::Semaphore;
use tokio::time::timeout;
use tokio_util::codec::{Framed, LinesCodec, LinesCodecError};

/// What every connection shares. The lock is a std `Mutex`: it is held for
/// one map operation and never across an `.await`.
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

/// What one client can make the server hold, and for how long.
#[derive(Clone, Copy)]
struct Limits {
    max_line: usize, // bytes in one request line
    idle: Duration,  // between two requests
    write: Duration, // to take one answer
    max_primes: u64, // the largest n of PRIMES n
    child: Duration, // for a child process to finish
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_line: 256,
            idle: Duration::from_secs(30),
            write: Duration::from_secs(5),
            max_primes: 2_000_000,
            child: Duration::from_secs(10),
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
/// Lines a client sent ahead (pipelined), waiting for their turn.
type Queued = VecDeque<Result<String, LinesCodecError>>;
/// How many lines a client may send ahead of its answers.
const MAX_QUEUED: usize = 16;

/// One connection: a request line in, an answer line out, until the client
/// closes, stays idle too long, or the connection fails.
async fn handle(socket: TcpStream, state: Arc<State>, limits: Limits) -> io::Result<()> {
    let codec = LinesCodec::new_with_max_length(limits.max_line);
    let mut lines = Framed::new(socket, codec);
    let mut queued = Queued::new();
    loop {
        let next = match queued.pop_front() {
            Some(line) => Ok(Some(line)), // sent ahead: its turn now
            None => timeout(limits.idle, lines.next()).await,
        };
        let answer = match next {
            Err(_elapsed) => {
                let idle = limits.idle.as_millis();
                return reply(&mut lines, &format!("error: idle for {idle} ms"), limits).await;
            }
            Ok(None) => return Ok(()), // the client closed
            // ANCHOR: call
            Ok(Some(Ok(line))) => {
                let work = answer(&state, &line, limits);
                match unless_client_leaves(&mut lines, &mut queued, work).await? {
                    Some(answer) => answer,
                    None => return Ok(()), // the client left: work was dropped
                }
            }
            // ANCHOR_END: call
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

// ANCHOR: leaves
/// Awaits `work`, unless the client closes the connection first. Then
/// `work` is dropped, and with it any child process it started. Lines that
/// come meanwhile wait in `queued`, in order, at most `MAX_QUEUED` of them.
async fn unless_client_leaves(
    lines: &mut Lines,
    queued: &mut Queued,
    work: impl Future<Output = String>,
) -> io::Result<Option<String>> {
    tokio::pin!(work);
    loop {
        // Full, or ending in a line too long: read no more for now.
        let room = queued.len() < MAX_QUEUED && queued.back().is_none_or(Result::is_ok);
        tokio::select! {
            biased; // in this order: work done, then the next line
            answer = &mut work => return Ok(Some(answer)),
            next = lines.next(), if room => match next {
                Some(Err(LinesCodecError::Io(_))) | None => return Ok(None),
                Some(line) => queued.push_back(line), // answered in its turn
            },
        }
    }
}
// ANCHOR_END: leaves

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
        (Some("PRIMES"), Some(n), None) => match n.parse() {
            Ok(n) if n <= limits.max_primes => primes(state, n).await,
            Ok(_) => format!("error: n must be at most {}", limits.max_primes),
            Err(_) => format!("error: {n} is not a number"),
        },
        // ANCHOR: requests
        (Some("UPPER"), Some(_), _) => {
            let text = &line["UPPER ".len()..];
            run_child("tr", &["a-z", "A-Z"], Some(text), limits.child).await
        }
        (Some("SLEEP"), Some(secs), None) => match secs.parse::<f64>() {
            // A number only, and not "-0", which parses: never pass a
            // client's words on as options. `--` ends sleep's options too.
            Ok(s) if (0.0..=60.0).contains(&s) && !secs.starts_with('-') => {
                let slept = run_child("sleep", &["--", secs], None, limits.child).await;
                if slept.is_empty() {
                    format!("slept {secs} s")
                } else {
                    slept
                }
            }
            _ => format!("error: {secs} is not a number of seconds from 0 to 60"),
        },
        // ANCHOR_END: requests
        _ => "error: unknown request".to_owned(),
    }
}

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

/// Trial division: slow on purpose, so that it is worth moving off the runtime.
fn count_primes(n: u64) -> usize {
    (2..n)
        .filter(|&k| (2..).take_while(|d| d * d <= k).all(|d| k % d != 0))
        .count()
}

// ANCHOR: child
/// Runs `program`, with `input` on its stdin, and answers with its stdout.
/// The child dies with this future: at the deadline, or when the request
/// is dropped, because `kill_on_drop` kills it when `Child` is dropped.
async fn run_child(
    program: &str,
    args: &[&str],
    input: Option<&str>,
    deadline: Duration,
) -> String {
    let mut command = Command::new(program);
    command
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    command.stdin(if input.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    // Its own process group: Ctrl+C at a terminal signals the whole
    // foreground group, and the child must not die before the server does.
    command.process_group(0);
    let mut child = match command.kill_on_drop(true).spawn() {
        Ok(child) => child,
        Err(error) => return format!("error: cannot run {program}: {error}"),
    };
    if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
        // One short line fits in the pipe's buffer: writing it all before
        // reading cannot deadlock. Dropping stdin ends the child's input.
        if let Err(error) = stdin.write_all(format!("{input}\n").as_bytes()).await {
            return format!("error: writing to {program}: {error}");
        }
    }
    match timeout(deadline, child.wait_with_output()).await {
        Err(_elapsed) => {
            let ms = deadline.as_millis();
            format!("error: {program} took longer than {ms} ms and was killed")
        }
        Ok(Err(error)) => format!("error: {program}: {error}"),
        Ok(Ok(output)) if output.status.success() => String::from_utf8_lossy(&output.stdout)
            .trim_end()
            .to_owned(),
        Ok(Ok(output)) => format!("error: {program} failed: {}", output.status),
    }
}
// ANCHOR_END: child

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
    let state = Arc::new(State::new(2));
    // A short deadline, so that a long child is killed soon.
    let limits = Limits {
        child: Duration::from_millis(500),
        ..Limits::default()
    };
    tokio::spawn(serve(listener, state, limits));
    // ANCHOR_END: main

    client(
        "ada",
        addr,
        &[
            "UPPER hello, world",
            "SLEEP 0.1",
            "SLEEP --help",
            "SLEEP -0",
        ],
    )
    .await;
    // Two requests in one write: the second waits its turn, then is answered.
    let mut socket = TcpStream::connect(addr).await.expect("connect");
    let both = "SLEEP 0.1\nUPPER next\n";
    socket.write_all(both.as_bytes()).await.expect("send");
    println!("dot> SLEEP 0.1 and UPPER next, in one write");
    let mut dot = Framed::new(socket, LinesCodec::new());
    for _ in 0..2 {
        let answer = dot.next().await.expect("an answer").expect("a line");
        println!("dot< {answer}");
    }
    // Over the deadline: the child is killed, and reaped.
    client("bob", addr, &["SLEEP 5"]).await;
    println!(
        "children of the server now: {}",
        children_when(|c| c.is_empty()).await
    );
    // A client that leaves while its child runs.
    let socket = TcpStream::connect(addr).await.expect("connect");
    let mut cat = Framed::new(socket, LinesCodec::new());
    cat.send("SLEEP 30").await.expect("send");
    println!("cat> SLEEP 30");
    let running = children_when(|c| c.len() == 1).await;
    println!("children of the server while cat waits: {running}");
    drop(cat);
    println!("cat closed the connection");
    println!(
        "children of the server now: {}",
        children_when(|c| c.is_empty()).await
    );
}

/// Waits, at most 5 s, until the server's children satisfy `done`, and
/// names them. A zombie counts: it is not reaped yet.
async fn children_when(done: impl Fn(&[String]) -> bool) -> String {
    let mut seen = children();
    for _ in 0..500 {
        if done(&seen) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        seen = children();
    }
    match seen.len() {
        0 => "none".to_owned(),
        _ => seen.join(", "),
    }
}

/// This process's children, as `pgrep` lists them: a zombie, not yet
/// reaped, is still listed.
fn children() -> Vec<String> {
    let me = std::process::id().to_string();
    let listed = std::process::Command::new("pgrep")
        .args(["-l", "-P", &me])
        .output();
    let listed = listed.expect("pgrep");
    let text = String::from_utf8_lossy(&listed.stdout).into_owned();
    // Each line: pid name
    text.lines()
        .filter_map(|line| line.split_whitespace().nth(1).map(str::to_owned))
        .collect()
}
