use std::collections::{HashMap, VecDeque};
use std::io;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::process::Command;
use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::sync::Semaphore;
use tokio::time::error::Elapsed;
use tokio::time::timeout;
use tokio_util::codec::{Framed, LinesCodec, LinesCodecError};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

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

// ANCHOR: tokens
/// The two requests a shutdown makes of every connection.
#[derive(Clone, Default)]
struct Shutdown {
    /// Finish the request in progress, then close.
    stop: CancellationToken,
    /// Drop the request in progress now: the drain deadline has passed.
    abort: CancellationToken,
}
// ANCHOR_END: tokens

// ANCHOR: accept
/// Accepts connections, one tracked task each, until `stop` is cancelled.
/// Returning drops the listener: new clients are refused from then on.
async fn serve(
    listener: TcpListener,
    state: Arc<State>,
    limits: Limits,
    shutdown: Shutdown,
    tracker: TaskTracker,
) {
    loop {
        let accepted = tokio::select! {
            _ = shutdown.stop.cancelled() => return,
            accepted = listener.accept() => accepted,
        };
        let socket = match accepted {
            Ok((socket, _peer)) => socket,
            Err(error) => {
                eprintln!("accept failed: {error}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let (state, shutdown) = (Arc::clone(&state), shutdown.clone());
        tracker.spawn(async move {
            if let Err(error) = handle(socket, state, limits, shutdown).await {
                eprintln!("connection dropped: {error}");
            }
        });
    }
}
// ANCHOR_END: accept

type Lines = Framed<TcpStream, LinesCodec>;
/// Lines a client sent ahead (pipelined), waiting for their turn.
type Queued = VecDeque<Result<String, LinesCodecError>>;
/// How many lines a client may send ahead of its answers.
const MAX_QUEUED: usize = 16;

/// One connection: a request line in, an answer line out, until the client
/// closes, stays idle too long, or the connection fails.
async fn handle(
    socket: TcpStream,
    state: Arc<State>,
    limits: Limits,
    shutdown: Shutdown,
) -> io::Result<()> {
    let codec = LinesCodec::new_with_max_length(limits.max_line);
    let mut lines = Framed::new(socket, codec);
    let mut queued = Queued::new();
    loop {
        // ANCHOR: between
        // Before each request, read now or sent ahead, `stop` is looked at
        // first: once the shutdown began, no new request starts.
        let next = tokio::select! {
            biased;
            _ = shutdown.stop.cancelled() => {
                let bye = "error: the server is shutting down";
                return reply(&mut lines, bye, &shutdown.abort, limits).await;
            }
            next = next_line(&mut lines, &mut queued, limits.idle) => next,
        };
        // ANCHOR_END: between
        let answer = match next {
            Err(_elapsed) => {
                let idle = limits.idle.as_millis();
                return reply(
                    &mut lines,
                    &format!("error: idle for {idle} ms"),
                    &shutdown.abort,
                    limits,
                )
                .await;
            }
            Ok(None) => return Ok(()), // the client closed
            Ok(Some(Ok(line))) => {
                let work = answer(&state, &line, limits);
                let abort = &shutdown.abort;
                match unless_client_leaves(&mut lines, &mut queued, work, abort).await? {
                    Some(answer) => answer,
                    None => return Ok(()), // the client left: work was dropped
                }
            }
            // A line too long: answer, then close the connection.
            Ok(Some(Err(LinesCodecError::MaxLineLengthExceeded))) => {
                let error = format!("error: line longer than {} bytes", limits.max_line);
                return reply(&mut lines, &error, &shutdown.abort, limits).await;
            }
            Ok(Some(Err(LinesCodecError::Io(error)))) => return Err(error),
        };
        reply(&mut lines, &answer, &shutdown.abort, limits).await?;
    }
}

/// The next request: a line the client sent ahead, else one read within
/// `idle`.
async fn next_line(
    lines: &mut Lines,
    queued: &mut Queued,
    idle: Duration,
) -> Result<Option<Result<String, LinesCodecError>>, Elapsed> {
    match queued.pop_front() {
        Some(line) => Ok(Some(line)), // sent ahead: its turn now
        None => timeout(idle, lines.next()).await,
    }
}

/// Awaits `work`, unless the client closes the connection or `abort` is
/// cancelled first. Then
/// `work` is dropped, and with it any child process it started. Lines that
/// come meanwhile wait in `queued`, in order, at most `MAX_QUEUED` of them.
async fn unless_client_leaves(
    lines: &mut Lines,
    queued: &mut Queued,
    work: impl Future<Output = String>,
    abort: &CancellationToken,
) -> io::Result<Option<String>> {
    tokio::pin!(work);
    loop {
        // Full, or ending in a line too long: read no more for now.
        let room = queued.len() < MAX_QUEUED && queued.back().is_none_or(Result::is_ok);
        tokio::select! {
            biased; // in this order: abort, work done, then the next line
            _ = abort.cancelled() => return Ok(None),
            answer = &mut work => return Ok(Some(answer)),
            next = lines.next(), if room => match next {
                Some(Err(LinesCodecError::Io(_))) | None => return Ok(None),
                Some(line) => queued.push_back(line), // answered in its turn
            },
        }
    }
}

/// Sends one line, giving up if the client does not take it in time, or
/// at once when `abort` is cancelled: the drain deadline bounds a reply too.
async fn reply(
    lines: &mut Lines,
    text: &str,
    abort: &CancellationToken,
    limits: Limits,
) -> io::Result<()> {
    let sent = tokio::select! {
        _ = abort.cancelled() => return Err(io::Error::other("aborted")),
        sent = timeout(limits.write, lines.send(text)) => sent,
    };
    match sent {
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
        _ => "error: unknown request".to_owned(),
    }
}

// ANCHOR: primes
/// Counts on a blocking thread, at most `cpu` computations at a time. The
/// task waits for its turn at `acquire_owned`, which holds no thread.
async fn primes(state: &State, n: u64) -> String {
    let permit = Arc::clone(&state.cpu).acquire_owned().await;
    let permit = permit.expect("the semaphore is never closed");
    // Dropping this future cannot stop a thread. Dropping the guard cancels
    // `stop`, and the count looks at `stop` as it goes.
    let stop = CancellationToken::new();
    let _stop_on_drop = stop.clone().drop_guard();
    let counted = tokio::task::spawn_blocking(move || {
        let _permit = permit; // given back when the count ends
        count_primes(n, &stop)
    })
    .await;
    match counted {
        Ok(Some(count)) => format!("{count} primes below {n}"),
        Ok(None) | Err(_) => "error: the computation failed".to_owned(),
    }
}

/// Trial division: slow on purpose, so that it is worth moving off the
/// runtime. Gives up (`None`) soon after `stop` is cancelled.
fn count_primes(n: u64, stop: &CancellationToken) -> Option<usize> {
    let mut count = 0;
    for k in 2..n {
        if k % 1024 == 0 && stop.is_cancelled() {
            return None;
        }
        if (2..).take_while(|d| d * d <= k).all(|d| k % d != 0) {
            count += 1;
        }
    }
    Some(count)
}
// ANCHOR_END: primes

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

// ANCHOR: main
#[tokio::main]
async fn main() {
    // Ask for the signals first, so that none can come before we listen.
    let mut terminate = signal(SignalKind::terminate()).expect("a SIGTERM handler");
    let mut interrupt = signal(SignalKind::interrupt()).expect("a SIGINT handler");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let state = Arc::new(State::new(2));
    let (shutdown, tracker) = (Shutdown::default(), TaskTracker::new());
    let server = serve(
        listener,
        state,
        Limits::default(),
        shutdown.clone(),
        tracker.clone(),
    );
    let server = tokio::spawn(server);
    // ANCHOR_END: main
    let clients = tokio::spawn(play_clients(addr));

    // ANCHOR: drain
    let which = stop_signal(&mut interrupt, &mut terminate).await;
    println!("{which}: stopping, {} connection(s) open", tracker.len());
    shutdown.stop.cancel();
    server.await.expect("the accept loop");
    println!("no longer accepting connections");
    tracker.close();
    if timeout(DRAIN, tracker.wait()).await.is_err() {
        let (busy, ms) = (tracker.len(), DRAIN.as_millis());
        println!("still busy after {ms} ms: aborting {busy} connection(s)");
        shutdown.abort.cancel();
        tracker.wait().await;
    }
    println!("every connection has ended");
    // ANCHOR_END: drain
    println!("the clients saw:");
    for line in clients.await.expect("the clients") {
        println!("{line}");
    }
    println!(
        "children of the server now: {}",
        children_when(|c| c.is_empty()).await
    );
}

// ANCHOR: signal
/// How long requests in progress get to finish once a shutdown starts.
const DRAIN: Duration = Duration::from_secs(1);

/// Waits for Ctrl+C (SIGINT) or SIGTERM, and says which came.
async fn stop_signal(interrupt: &mut Signal, terminate: &mut Signal) -> &'static str {
    tokio::select! {
        _ = interrupt.recv() => "Ctrl+C",
        _ = terminate.recv() => "SIGTERM",
    }
}
// ANCHOR_END: signal

/// Three clients, then a SIGTERM to this process as `kill` would send it;
/// returns what the clients saw, in order.
async fn play_clients(addr: std::net::SocketAddr) -> Vec<String> {
    let mut seen = Vec::new();
    let mut ada = connect(addr).await;
    ask(&mut ada, "ada", "SET greeting hello", &mut seen).await;
    let mut bob = connect(addr).await;
    // Two requests in one write: the second waits for the first.
    bob.feed("SLEEP 0.5").await.expect("send");
    bob.send("GET greeting").await.expect("send");
    seen.push("bob> SLEEP 0.5".to_owned());
    seen.push("bob> GET greeting (sent ahead)".to_owned());
    // Bob's child is paused as soon as it runs, so that his SLEEP cannot
    // end before the shutdown begins, however slow the machine. (No panic
    // here: this task must go on to send the signal main waits for.)
    use nix::sys::signal::{SIGCONT, SIGSTOP, SIGTERM, kill};
    let bobs_sleep = first_child().await;
    if let Some(pid) = bobs_sleep {
        let _ = kill(pid, SIGSTOP);
    }
    let mut cat = connect(addr).await;
    cat.send("SLEEP 30").await.expect("send");
    seen.push("cat> SLEEP 30".to_owned());
    // Both children run: now the signal.
    children_when(|c| c.len() == 2).await;
    kill(nix::unistd::Pid::this(), SIGTERM).expect("kill");
    read_to_end(&mut ada, "ada", &mut seen).await; // the shutdown has begun
    if let Some(pid) = bobs_sleep {
        let _ = kill(pid, SIGCONT);
    }
    read_to_end(&mut bob, "bob", &mut seen).await;
    read_to_end(&mut cat, "cat", &mut seen).await;
    let refused = TcpStream::connect(addr).await.is_err();
    seen.push(format!("dan: connection refused: {refused}"));
    seen
}

async fn connect(addr: std::net::SocketAddr) -> Lines {
    Framed::new(
        TcpStream::connect(addr).await.expect("connect"),
        LinesCodec::new(),
    )
}

async fn ask(lines: &mut Lines, name: &str, request: &str, seen: &mut Vec<String>) {
    lines.send(request).await.expect("send");
    seen.push(format!("{name}> {request}"));
    let answer = lines.next().await.expect("an answer").expect("a line");
    seen.push(format!("{name}< {answer}"));
}

/// Reads every line until the server closes the connection.
async fn read_to_end(lines: &mut Lines, name: &str, seen: &mut Vec<String>) {
    while let Some(Ok(line)) = lines.next().await {
        seen.push(format!("{name}< {line}"));
    }
    seen.push(format!("{name}: closed by the server"));
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

/// Waits, at most 5 s, for this process's first child, and gives its pid.
async fn first_child() -> Option<nix::unistd::Pid> {
    for _ in 0..500 {
        if let Some(&pid) = child_pids().first() {
            return Some(pid);
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    None // the output will show that bob's request went wrong
}

/// The pids of this process's children.
fn child_pids() -> Vec<nix::unistd::Pid> {
    let me = std::process::id().to_string();
    let listed = std::process::Command::new("pgrep")
        .args(["-P", &me])
        .output();
    let text = String::from_utf8_lossy(&listed.expect("pgrep").stdout).into_owned();
    text.lines()
        .filter_map(|pid| pid.trim().parse().ok())
        .map(nix::unistd::Pid::from_raw)
        .collect()
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
