use std::error::Error;
use std::net::SocketAddr;
use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use tokio::io::{self, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio::time::{sleep, timeout};

const DRAIN_DEADLINE: Duration = Duration::from_millis(500);

/// Serves one request: "quick" takes 20 ms, anything else 10 s.
async fn handle(mut socket: TcpStream, started: mpsc::Sender<()>) -> io::Result<String> {
    let (reader, mut writer) = socket.split();
    let mut job = String::new();
    BufReader::new(reader).read_line(&mut job).await?;
    let job = job.trim_end().to_owned();
    let _ = started.send(()).await; // tell main a request is in progress
    let work = if job == "quick" { 20 } else { 10_000 };
    sleep(Duration::from_millis(work)).await;
    writer
        .write_all(format!("done: {job}\n").as_bytes())
        .await?;
    Ok(job)
}

// ANCHOR: server
async fn serve(listener: TcpListener, started: mpsc::Sender<()>) -> io::Result<()> {
    // Registered now, so a signal that arrives later is not missed.
    let mut terminate = signal(SignalKind::terminate())?;
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (socket, _) = accepted?;
                connections.spawn(handle(socket, started.clone()));
            }
            _ = terminate.recv() => {
                println!("server: SIGTERM, stop accepting");
                break;
            }
            _ = tokio::signal::ctrl_c() => {
                println!("server: Ctrl-C, stop accepting");
                break;
            }
        }
    }
    drop(listener); // close the port: new clients are refused from now on
    println!("server: draining {} connection(s)", connections.len());

    let drain = async {
        while let Some(finished) = connections.join_next().await {
            match finished {
                Ok(Ok(job)) => println!("server: finished {job:?}"),
                Ok(Err(error)) => println!("server: a connection failed: {error}"),
                Err(error) => println!("server: a connection task failed: {error}"),
            }
        }
    };
    if timeout(DRAIN_DEADLINE, drain).await.is_err() {
        println!(
            "server: deadline passed, aborting {} connection(s)",
            connections.len()
        );
        connections.shutdown().await; // abort the rest and wait until they are gone
    }
    println!("server: shut down");
    Ok(())
}
// ANCHOR_END: server

async fn request(server: SocketAddr, job: &str) -> io::Result<String> {
    let mut socket = TcpStream::connect(server).await?;
    socket.write_all(format!("{job}\n").as_bytes()).await?;
    let mut reply = String::new();
    socket.read_to_string(&mut reply).await?;
    Ok(reply.trim_end().to_owned())
}

// ANCHOR: main
#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let (started, mut in_progress) = mpsc::channel(2);
    let server = tokio::spawn(serve(listener, started));

    let quick = tokio::spawn(request(address, "quick"));
    let slow = tokio::spawn(request(address, "slow"));
    // Wait until the server has both requests in hand, then do what
    // `kill PID` (or a container runtime stopping us) would do.
    for _ in 0..2 {
        in_progress.recv().await.ok_or("the server stopped early")?;
    }
    kill(Pid::this(), Signal::SIGTERM)?;

    server.await??;
    println!("quick client got {:?}", quick.await??);
    println!("slow client got {:?}", slow.await??);
    let late = TcpStream::connect(address)
        .await
        .map(|_| ())
        .map_err(|e| e.kind());
    println!("a new client after shutdown: {late:?}");
    Ok(())
}
// ANCHOR_END: main
