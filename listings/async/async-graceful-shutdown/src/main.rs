use std::error::Error;
use std::io::ErrorKind;
use std::net::SocketAddr;
use std::time::Duration;

use nix::errno::Errno;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use tokio::io::{self, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;
use tokio::task::{JoinError, JoinSet};
use tokio::time::{sleep, timeout};

const DRAIN_DEADLINE: Duration = Duration::from_millis(500);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(1);
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);
/// How long aborted connections get to go away before the process exits.
const ABORT_DEADLINE: Duration = Duration::from_millis(500);
/// The longest request line a client may send, newline included.
const MAX_REQUEST: u64 = 64;

/// What the server tells `main`, so that `main` can time its signals.
enum Event {
    Started,
    Reaped,
}

// ANCHOR: bounded
/// Serves one request: "ping" at once, "report" in 200 ms, "export" in 10 s.
async fn handle(socket: TcpStream, events: mpsc::UnboundedSender<Event>) -> io::Result<String> {
    let (reader, mut writer) = socket.into_split();
    let mut job = String::new();
    // take: a client that never sends a newline cannot make us buffer more.
    let mut reader = BufReader::new(reader.take(MAX_REQUEST));
    timeout(REQUEST_TIMEOUT, reader.read_line(&mut job)).await??;
    if !job.ends_with('\n') {
        let problem = "request too long, or cut off";
        return Err(io::Error::new(ErrorKind::InvalidData, problem));
    }
    // ANCHOR_END: bounded
    let job = job.trim_end().to_owned();
    let _ = events.send(Event::Started);
    let work = match job.as_str() {
        "ping" => 0,
        "report" => 200,
        _ => 10_000,
    };
    sleep(Duration::from_millis(work)).await;
    let answer = format!("done: {job}\n");
    timeout(REQUEST_TIMEOUT, writer.write_all(answer.as_bytes())).await??;
    Ok(job)
}

// ANCHOR: accept
/// Accepts until SIGTERM or SIGINT, reaping connections as they finish.
async fn serve(listener: TcpListener, events: mpsc::UnboundedSender<Event>) -> io::Result<()> {
    // Both registered once, now: a signal that arrives while the loop is
    // busy elsewhere waits in the stream until the next `recv`.
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((socket, _)) => {
                    connections.spawn(handle(socket, events.clone()));
                }
                Err(error) if is_connection_error(&error) => {}
                Err(error) => {
                    println!("server: accept failed: {error}; pausing");
                    sleep(ACCEPT_BACKOFF).await;
                }
            },
            // Finished connections leave the set as they end; without this
            // branch the set would keep every connection ever served.
            Some(finished) = connections.join_next(), if !connections.is_empty() => {
                report(finished, &events);
            }
            _ = terminate.recv() => {
                println!("server: SIGTERM, stop accepting");
                break;
            }
            _ = interrupt.recv() => {
                println!("server: SIGINT, stop accepting");
                break;
            }
        }
    }
    drop(listener); // close the port: new clients are refused from now on
    drain(connections, &events, &mut terminate, &mut interrupt).await;
    Ok(())
}
// ANCHOR_END: accept

// ANCHOR: drain
/// Lets the connections in progress finish, until the deadline or a second
/// signal; then aborts what is left.
async fn drain(
    mut connections: JoinSet<io::Result<String>>,
    events: &mpsc::UnboundedSender<Event>,
    terminate: &mut tokio::signal::unix::Signal,
    interrupt: &mut tokio::signal::unix::Signal,
) {
    println!("server: draining {} connection(s)", connections.len());
    let deadline = sleep(DRAIN_DEADLINE);
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            finished = connections.join_next() => match finished {
                Some(finished) => report(finished, events),
                None => break, // all done before the deadline
            },
            _ = &mut deadline => {
                println!("server: deadline passed, aborting {}", connections.len());
                break;
            }
            _ = terminate.recv() => {
                println!("server: second signal, aborting {} now", connections.len());
                break;
            }
            _ = interrupt.recv() => {
                println!("server: second signal, aborting {} now", connections.len());
                break;
            }
        }
    }
    // Abort the rest and wait until they are gone, but not for ever: an
    // aborted task stops only at its next .await, and one stuck in code
    // that never awaits would hold up the exit (tokio never gives SIGTERM
    // and SIGINT back their default action, so no signal but SIGKILL could).
    if timeout(ABORT_DEADLINE, connections.shutdown())
        .await
        .is_err()
    {
        eprintln!(
            "server: {} connection(s) ignored the abort; exiting",
            connections.len()
        );
        std::process::exit(1);
    }
    println!("server: shut down");
}
// ANCHOR_END: drain

fn report(finished: Result<io::Result<String>, JoinError>, events: &mpsc::UnboundedSender<Event>) {
    match finished {
        Ok(Ok(job)) => println!("server: finished {job:?}"),
        Ok(Err(error)) => println!("server: a connection failed: {error}"),
        Err(error) => println!("server: a connection task failed: {error}"),
    }
    let _ = events.send(Event::Reaped);
}

/// Errors that concern only the connection being accepted: Linux's accept(2)
/// returns a new connection's pending network error and says to retry at
/// once; BSD and macOS report a client that gave up while queued as
/// ECONNABORTED. ("When accept fails" on the hardening page explains it.)
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

async fn request(server: SocketAddr, job: &str) -> io::Result<String> {
    let mut socket = TcpStream::connect(server).await?;
    socket.write_all(format!("{job}\n").as_bytes()).await?;
    let mut reply = String::new();
    socket.read_to_string(&mut reply).await?;
    Ok(reply.trim_end().to_owned())
}

/// Counts the server's events, so that `main` can wait for a total of each.
struct Tally {
    events: mpsc::UnboundedReceiver<Event>,
    started: usize,
    reaped: usize,
}

impl Tally {
    fn new(events: mpsc::UnboundedReceiver<Event>) -> Self {
        Tally {
            events,
            started: 0,
            reaped: 0,
        }
    }

    /// Waits until `total` requests in all have started.
    async fn until_started(&mut self, total: usize) -> Result<(), Box<dyn Error>> {
        while self.started < total {
            self.count_next().await?;
        }
        Ok(())
    }

    /// Waits until `total` connections in all have been reaped.
    async fn until_reaped(&mut self, total: usize) -> Result<(), Box<dyn Error>> {
        while self.reaped < total {
            self.count_next().await?;
        }
        Ok(())
    }

    async fn count_next(&mut self) -> Result<(), Box<dyn Error>> {
        match self.events.recv().await.ok_or("the server stopped early")? {
            Event::Started => self.started += 1,
            Event::Reaped => self.reaped += 1,
        }
        Ok(())
    }
}

/// `--twice`: send SIGINT too, once the report is done. Exits on anything else.
fn second_signal_wanted() -> bool {
    match std::env::args().nth(1).as_deref() {
        None => false,
        Some("--twice") => true,
        Some(other) => {
            eprintln!("unknown argument {other:?}; the only one is --twice");
            std::process::exit(2);
        }
    }
}

// ANCHOR: main
#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let signal_twice = second_signal_wanted();
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    // Demo plumbing, not part of the server: at most two events per request
    // of the handful main makes, so unbounded is safe here. A server's own
    // queues are bounded (see the channels page).
    let (events, server_events) = mpsc::unbounded_channel();
    let mut server = Tally::new(server_events);
    let serving = tokio::spawn(serve(listener, events));

    for _ in 0..3 {
        request(address, "ping").await?;
    }
    server.until_reaped(3).await?; // the three pings are done
    let report = tokio::spawn(request(address, "report"));
    let export = tokio::spawn(request(address, "export"));
    server.until_started(5).await?; // report and export in progress
    // What `kill PID` (or a container runtime stopping us) would do.
    kill(Pid::this(), Signal::SIGTERM)?;
    if signal_twice {
        server.until_reaped(4).await?; // the report is done
        kill(Pid::this(), Signal::SIGINT)?; // an impatient operator's Ctrl-C
    }

    serving.await??;
    println!("report client got {:?}", report.await??);
    println!("export client got {:?}", export.await??);
    let late = TcpStream::connect(address)
        .await
        .map(|_| ())
        .map_err(|e| e.kind());
    println!("a new client after shutdown: {late:?}");
    Ok(())
}
// ANCHOR_END: main
