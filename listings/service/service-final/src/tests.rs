//! Tests of the whole service, through TCP, as a client sees it.

use std::net::SocketAddr;
use std::time::Duration;

use clap::Parser;
use futures::{SinkExt, StreamExt};
use nix::unistd::Pid;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio::time::timeout;
use tokio_util::codec::{Framed, LinesCodec};
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::server;

type Lines = Framed<TcpStream, LinesCodec>;

/// The tests that count this process's children take turns.
static CHILDREN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

// ANCHOR: start
/// Starts the service on a free port; cancelling the token stops it.
async fn start(args: &[&str]) -> (SocketAddr, CancellationToken, JoinHandle<()>) {
    let mut argv = vec!["service-final", "--addr", "127.0.0.1:0"];
    argv.extend(args);
    let config = Config::parse_from(argv);
    let listener = TcpListener::bind(config.addr).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let stop = CancellationToken::new();
    let stopped = stop.clone().cancelled_owned();
    let never = std::future::pending();
    let service = tokio::spawn(async move { server::run(listener, &config, stopped, never).await });
    (addr, stop, service)
}

async fn connect(addr: SocketAddr) -> Lines {
    Framed::new(TcpStream::connect(addr).await.unwrap(), LinesCodec::new())
}

async fn ask(lines: &mut Lines, request: &str) -> String {
    lines.send(request).await.unwrap();
    lines.next().await.unwrap().unwrap()
}
// ANCHOR_END: start

// ANCHOR: concurrent
#[tokio::test]
async fn many_clients_at_once_share_the_notes() {
    let (addr, stop, service) = start(&[]).await;
    let clients = (0..50).map(|n| async move {
        let mut lines = connect(addr).await;
        assert_eq!(ask(&mut lines, &format!("SET k{n} v{n}")).await, "OK");
        ask(&mut lines, "PRIMES 1000").await
    });
    for answer in futures::future::join_all(clients).await {
        assert_eq!(answer, "168 primes below 1000");
    }
    let mut lines = connect(addr).await;
    assert_eq!(ask(&mut lines, "GET k42").await, "v42");
    assert_eq!(
        ask(&mut lines, "GET nothing").await,
        "error: no key nothing"
    );
    stop.cancel();
    service.await.unwrap();
}
// ANCHOR_END: concurrent

// ANCHOR: pipeline
#[tokio::test]
async fn pipelined_requests_are_answered_in_order() {
    let _turn = CHILDREN.lock().await;
    let (addr, stop, service) = start(&[]).await;
    let mut socket = TcpStream::connect(addr).await.unwrap();
    // Four requests in one write: the second is still running when the
    // third and fourth arrive.
    let requests = "SET a 1\nSLEEP 0.2\nGET a\nGET b\n";
    socket.write_all(requests.as_bytes()).await.unwrap();
    let mut lines = Framed::new(socket, LinesCodec::new());
    for expected in ["OK", "slept 0.2 s", "1", "error: no key b"] {
        assert_eq!(lines.next().await.unwrap().unwrap(), expected);
    }
    stop.cancel();
    service.await.unwrap();
}
// ANCHOR_END: pipeline

// ANCHOR: cancel
#[tokio::test]
async fn a_client_that_leaves_kills_its_child() {
    let _turn = CHILDREN.lock().await;
    let (addr, stop, service) = start(&["--child-secs", "60"]).await;
    let mut lines = connect(addr).await;
    lines.send("SLEEP 30").await.unwrap();
    let child = wait_for(|| sleep_children().pop()).await;
    drop(lines); // the client leaves mid-request
    wait_for(|| (!is_alive(child)).then_some(())).await;
    stop.cancel();
    service.await.unwrap();
}
// ANCHOR_END: cancel

#[tokio::test]
async fn a_count_stops_when_its_client_leaves() {
    let (addr, stop, service) = start(&["--cpu-workers", "1"]).await;
    let mut first = connect(addr).await;
    first.send("PRIMES 2000000").await.unwrap();
    let mut second = connect(addr).await;
    second.send("PRIMES 10").await.unwrap();
    let waiting = timeout(Duration::from_millis(500), second.next()).await;
    assert!(
        waiting.is_err(),
        "the second count waits for the only worker"
    );
    drop(first); // its count, seconds long, must stop and free the worker
    let answer = timeout(Duration::from_secs(3), second.next()).await;
    let answer = answer.expect("the worker was freed").unwrap().unwrap();
    assert_eq!(answer, "4 primes below 10");
    stop.cancel();
    service.await.unwrap();
}

#[tokio::test]
async fn a_client_past_the_limit_waits_for_a_place() {
    let (addr, stop, service) = start(&["--max-clients", "1"]).await;
    let mut first = connect(addr).await;
    assert_eq!(ask(&mut first, "SET a 1").await, "OK");
    // The kernel accepts the connection; the service does not serve it yet.
    let mut second = connect(addr).await;
    second.send("GET a").await.unwrap();
    let waiting = timeout(Duration::from_millis(300), second.next()).await;
    assert!(waiting.is_err(), "one client at a time");
    drop(first);
    assert_eq!(second.next().await.unwrap().unwrap(), "1");
    stop.cancel();
    service.await.unwrap();
}

#[tokio::test]
async fn a_child_does_not_take_the_terminals_signals() {
    let _turn = CHILDREN.lock().await;
    let (addr, stop, service) = start(&["--child-secs", "60"]).await;
    let mut lines = connect(addr).await;
    lines.send("SLEEP 30").await.unwrap();
    let child = wait_for(|| sleep_children().pop()).await;
    let group = nix::unistd::getpgid(Some(Pid::from_raw(child as i32))).unwrap();
    assert_eq!(
        group.as_raw() as u32,
        child,
        "the child leads its own group"
    );
    drop(lines);
    wait_for(|| (!is_alive(child)).then_some(())).await;
    stop.cancel();
    service.await.unwrap();
}

#[tokio::test]
async fn a_line_that_is_not_utf8_is_answered_then_closed() {
    let (addr, stop, service) = start(&[]).await;
    let mut socket = TcpStream::connect(addr).await.unwrap();
    socket.write_all(b"GET \xff\n").await.unwrap();
    let mut lines = Framed::new(socket, LinesCodec::new());
    let answer = lines.next().await.unwrap().unwrap();
    assert_eq!(answer, "error: the line is not UTF-8");
    assert!(lines.next().await.is_none(), "then closed");
    stop.cancel();
    service.await.unwrap();
}

#[tokio::test]
async fn sleep_takes_no_options_and_ends_before_its_deadline() {
    let (addr, stop, service) = start(&["--child-secs", "3"]).await;
    let mut lines = connect(addr).await;
    for request in ["SLEEP -0", "SLEEP -0.0", "SLEEP --help", "SLEEP 3"] {
        let answer = ask(&mut lines, request).await;
        let refused = "is not a number of seconds below 3";
        assert!(answer.ends_with(refused), "{answer}");
    }
    stop.cancel();
    service.await.unwrap();
}

#[tokio::test]
async fn upper_takes_a_line_longer_than_a_pipe_holds() {
    let args = ["--max-line", "300000", "--child-secs", "5"];
    let (addr, stop, service) = start(&args).await;
    let mut lines = Framed::new(TcpStream::connect(addr).await.unwrap(), LinesCodec::new());
    // Far more than a pipe holds: tr writes while the service still writes.
    let text = "a".repeat(299_000);
    let answer = ask(&mut lines, &format!("UPPER {text}")).await;
    assert_eq!(answer, text.to_uppercase());
    stop.cancel();
    service.await.unwrap();
}

// ANCHOR: signal
/// Like `start`, but stopped by signals, as `main` is.
async fn start_with_sigterm(args: &[&str]) -> (SocketAddr, (), JoinHandle<()>) {
    use tokio::signal::unix::{SignalKind, signal};
    let terminate = signal(SignalKind::terminate()).unwrap();
    let interrupt = signal(SignalKind::interrupt()).unwrap();
    let hangup = signal(SignalKind::hangup()).unwrap();
    let mut argv = vec!["service-final", "--addr", "127.0.0.1:0"];
    argv.extend(args);
    let config = Config::parse_from(argv);
    let listener = TcpListener::bind(config.addr).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, hurry) = crate::app::stop_signals(interrupt, terminate, hangup);
    let service = tokio::spawn(async move { server::run(listener, &config, stop, hurry).await });
    (addr, (), service)
}

#[tokio::test]
async fn sigterm_drains_then_aborts() {
    let _turn = CHILDREN.lock().await;
    let (addr, _stop, service) =
        start_with_sigterm(&["--drain-secs", "1", "--child-secs", "60"]).await;
    let (mut idle, mut quick, mut slow) = (
        connect(addr).await,
        connect(addr).await,
        connect(addr).await,
    );
    // Two lines in one write: the second is sent ahead, and must not
    // start once the shutdown began.
    quick.feed("SLEEP 0.5").await.unwrap();
    quick.send("GET a").await.unwrap();
    // Paused as soon as it runs, the quick child cannot end before the
    // shutdown begins, however slow the machine.
    use nix::sys::signal::{SIGCONT, SIGSTOP, SIGTERM, kill};
    let quick_child = wait_for(|| sleep_children().pop()).await;
    let quick_child = Pid::from_raw(quick_child as i32);
    kill(quick_child, SIGSTOP).unwrap();
    slow.send("SLEEP 30").await.unwrap();
    let children = wait_for(|| Some(sleep_children()).filter(|c| c.len() == 2)).await;
    kill(nix::unistd::Pid::this(), SIGTERM).unwrap();
    let bye = idle.next().await.unwrap().unwrap(); // the shutdown has begun
    assert_eq!(bye, "error: the server is shutting down");
    kill(quick_child, SIGCONT).unwrap();
    assert_eq!(quick.next().await.unwrap().unwrap(), "slept 0.5 s");
    let bye = quick.next().await.unwrap().unwrap();
    assert_eq!(bye, "error: the server is shutting down");
    let cut = slow.next().await.unwrap().unwrap();
    assert_eq!(cut, "error: the server stopped before the answer was sent");
    assert!(slow.next().await.is_none(), "then the connection closes");
    service.await.unwrap();
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "no longer listening"
    );
    for child in children {
        wait_for(|| (!is_alive(child)).then_some(())).await;
    }
}
// ANCHOR_END: signal

#[tokio::test]
async fn a_second_signal_cuts_the_drain_short() {
    let _turn = CHILDREN.lock().await;
    let args = ["--drain-secs", "60", "--child-secs", "60"];
    let (addr, _stop, service) = start_with_sigterm(&args).await;
    let mut idle = connect(addr).await;
    let mut slow = connect(addr).await;
    slow.send("SLEEP 30").await.unwrap();
    let children = wait_for(|| Some(sleep_children()).filter(|c| c.len() == 1)).await;
    use nix::sys::signal::{SIGHUP, SIGTERM, kill};
    kill(nix::unistd::Pid::this(), SIGTERM).unwrap();
    // The idle client is told once the first signal was taken; then a
    // second signal cannot merge with it.
    let bye = idle.next().await.unwrap().unwrap();
    assert_eq!(bye, "error: the server is shutting down");
    // A closed terminal sends SIGHUP: a signal like the others.
    kill(nix::unistd::Pid::this(), SIGHUP).unwrap();
    let cut = slow.next().await.unwrap().unwrap();
    assert_eq!(cut, "error: the server stopped before the answer was sent");
    service.await.unwrap();
    wait_for(|| (!is_alive(children[0])).then_some(())).await;
}

/// Polls `found` until it gives a value; fails after 10 s.
async fn wait_for<T>(mut found: impl FnMut() -> Option<T>) -> T {
    for _ in 0..1000 {
        if let Some(value) = found() {
            return value;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("waited 10 s in vain");
}

/// The pids of this process's children named `sleep`, as `pgrep` finds
/// them (a zombie included).
fn sleep_children() -> Vec<u32> {
    let me = std::process::id().to_string();
    let found = std::process::Command::new("pgrep")
        .args(["-P", &me, "-x", "sleep"])
        .output()
        .expect("pgrep");
    let pids = String::from_utf8_lossy(&found.stdout).into_owned();
    pids.lines()
        .filter_map(|pid| pid.trim().parse().ok())
        .collect()
}

/// Signal 0 checks that a pid exists. A zombie still exists: only once its
/// parent has reaped it does the check fail.
fn is_alive(pid: u32) -> bool {
    let pid = nix::unistd::Pid::from_raw(pid as i32);
    nix::sys::signal::kill(pid, None).is_ok()
}

/// The conversation the book shows, `session.txt`: a command line, each
/// request typed followed by the service's answer, and the last line `nc`
/// prints when the service is stopped. Stopping it through the token is
/// what the first Ctrl+C does in `main`. The answers must be what the
/// service says now; `BLESS=service-final` rewrites them.
#[tokio::test]
async fn the_session_shown_in_the_book() {
    let _turn = CHILDREN.lock().await; // its SLEEP starts a child
    // The service's log of the session, as `main` formats it. This test's
    // runtime runs every task on this thread, so this thread's log holds
    // every line of the session and none of the other tests'.
    keep_this_threads_log();
    let shown = include_str!("../session.txt");
    let mut lines = shown.lines();
    let command = lines.next().unwrap();
    let pairs: Vec<&str> = lines.collect();
    // A request and its answer, two lines each; a last line alone is not
    // a request.
    let requests = pairs.chunks_exact(2).map(|pair| pair[0]);
    let (addr, stop, service) = start(&[]).await;
    let mut client = connect(addr).await;
    let mut now = format!("{command}\n");
    for request in requests {
        let answer = ask(&mut client, request).await;
        now.push_str(&format!("{request}\n{answer}\n"));
    }
    stop.cancel();
    let last = client.next().await.unwrap().unwrap();
    now.push_str(&format!("{last}\n"));
    assert!(client.next().await.is_none(), "then the service closes");
    service.await.unwrap();
    let logged = this_threads_log();
    let bless = std::env::var("BLESS").unwrap_or_default();
    if bless == "1" || bless.split(',').any(|name| name.trim() == "service-final") {
        let dir = env!("CARGO_MANIFEST_DIR");
        std::fs::write(format!("{dir}/session.txt"), &now).unwrap();
        std::fs::write(format!("{dir}/session-log.txt"), &logged).unwrap();
        return;
    }
    assert_eq!(
        shown, now,
        "session.txt is not what the service answers now"
    );
    assert_eq!(
        masked(include_str!("../session-log.txt")),
        masked(&logged),
        "session-log.txt is not what the service logs now"
    );
}

std::thread_local! {
    static THIS_THREADS_LOG: std::cell::RefCell<Option<Vec<u8>>> =
        const { std::cell::RefCell::new(None) };
}

/// Starts keeping what the service logs on this thread. The logger is
/// installed once for the whole test process: tracing decides once, for
/// each line of code that logs, whether any logger wants it, so a logger
/// set for one thread only could miss a line another test reached first.
fn keep_this_threads_log() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let filter = tracing_subscriber::EnvFilter::new("info");
        let logger = crate::app::logger(filter, || ThreadLog);
        tracing::subscriber::set_global_default(logger).unwrap();
    });
    THIS_THREADS_LOG.set(Some(Vec::new()));
}

fn this_threads_log() -> String {
    let bytes = THIS_THREADS_LOG.take().unwrap_or_default();
    String::from_utf8(bytes).unwrap()
}

/// Writes into the log of the thread that logs, if it keeps one.
struct ThreadLog;

impl std::io::Write for ThreadLog {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        THIS_THREADS_LOG.with_borrow_mut(|log| {
            if let Some(log) = log {
                log.extend_from_slice(bytes);
            }
        });
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A log with what changes from run to run replaced: the time that starts
/// each line, and every number after a `:` or `=` (ports, pids).
fn masked(log: &str) -> String {
    let mut out = String::new();
    for line in log.lines() {
        let rest = line.split_once(' ').map_or(line, |(_time, rest)| rest);
        let mut after_mark = false;
        let mut in_number = false;
        for c in rest.chars() {
            if c.is_ascii_digit() && (after_mark || in_number) {
                if !in_number {
                    out.push('N');
                }
                in_number = true;
            } else {
                in_number = false;
                out.push(c);
            }
            after_mark = c == ':' || c == '=';
        }
        out.push('\n');
    }
    out
}
