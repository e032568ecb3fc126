use std::error::Error;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{self, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::{sleep, timeout};

// ANCHOR: serve
/// At most this many clients are served at once.
const MAX_CONNECTIONS: usize = 2;

async fn serve(listener: TcpListener) {
    let places = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut number = 0;
    loop {
        // A free place first, then a client. While every place is taken,
        // new clients wait in the kernel's listen queue, holding nothing here.
        let permit = Arc::clone(&places).acquire_owned().await;
        let permit = permit.expect("the semaphore is never closed");
        let socket = match listener.accept().await {
            Ok((socket, _peer)) => socket,
            Err(_) => {
                // As the hardened server does: pause, then accept again.
                sleep(Duration::from_millis(100)).await;
                continue; // the permit is dropped here, the place freed
            }
        };
        number += 1;
        let taken = MAX_CONNECTIONS - places.available_permits();
        tokio::spawn(async move {
            let _permit = permit; // moved into the task: freed when it ends
            let _ = serve_one(socket, number, taken).await;
        });
    }
}
// ANCHOR_END: serve

/// Greets the client, then waits until it leaves (10 s at most).
async fn serve_one(mut socket: TcpStream, number: usize, taken: usize) -> io::Result<()> {
    let greeting =
        format!("welcome, client {number} ({taken} of {MAX_CONNECTIONS} places taken)\n");
    socket.write_all(greeting.as_bytes()).await?;
    // A read returns when the client closes (or sends something).
    let _ = timeout(Duration::from_secs(10), socket.read(&mut [0; 64])).await;
    Ok(())
}

/// Connects and reads the server's greeting.
async fn connect(server: SocketAddr) -> io::Result<(BufReader<TcpStream>, String)> {
    let mut socket = BufReader::new(TcpStream::connect(server).await?);
    let greeting = greeting(&mut socket).await?;
    Ok((socket, greeting))
}

async fn greeting(socket: &mut BufReader<TcpStream>) -> io::Result<String> {
    let mut line = String::new();
    socket.read_line(&mut line).await?;
    Ok(line.trim_end().to_owned())
}

// ANCHOR: main
#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let server = listener.local_addr()?;
    tokio::spawn(serve(listener));

    let (a, greeting_a) = connect(server).await?;
    println!("client A: {greeting_a}");
    let (_b, greeting_b) = connect(server).await?;
    println!("client B: {greeting_b}");
    // The connection succeeds: the kernel queues it until the server accepts.
    let mut c = BufReader::new(TcpStream::connect(server).await?);
    // This wait must time out: a greeting now ends the program with an error.
    let early = timeout(Duration::from_millis(200), greeting(&mut c)).await;
    // ANCHOR_END: main
    if let Ok(line) = early {
        return Err(format!("a third client was served at once: {line:?}").into());
    }
    // ANCHOR: main
    println!("client C: connected, but no greeting after 200 ms");
    drop(a);
    println!("client A leaves");
    println!("client C: {}", greeting(&mut c).await?);
    Ok(())
}
// ANCHOR_END: main
