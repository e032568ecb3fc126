use std::error::Error;
use std::time::Duration;

use tokio::io::{self, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{sleep, timeout};

// ANCHOR: all
const IDLE_TIMEOUT: Duration = Duration::from_millis(200);

/// Echoes lines back in upper case until the client closes.
async fn handle(socket: TcpStream) -> io::Result<()> {
    let (reader, mut writer) = socket.into_split();
    let mut lines = BufReader::new(reader).lines();
    // Each wait for a line is bounded; a silent client gets 200 ms.
    while let Some(line) = timeout(IDLE_TIMEOUT, lines.next_line())
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "idle client"))??
    {
        // A client that stops reading must not pin this task either.
        let reply = format!("{}\n", line.to_uppercase());
        timeout(IDLE_TIMEOUT, writer.write_all(reply.as_bytes()))
            .await
            .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "client not reading"))??;
    }
    Ok(())
}
// ANCHOR_END: all

async fn serve(listener: TcpListener) {
    loop {
        match listener.accept().await {
            Ok((socket, _)) => {
                tokio::spawn(handle(socket));
            }
            // Out of file descriptors, say: retrying at once would fail
            // again at full speed, so pause (see the price server).
            Err(_) => sleep(Duration::from_millis(100)).await,
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(serve(listener));

    let mut chatty = TcpStream::connect(address).await?;
    chatty.write_all(b"hello\n").await?;
    let mut reply = [0; 6];
    chatty.read_exact(&mut reply).await?;
    println!(
        "chatty client got {:?}",
        String::from_utf8_lossy(&reply).trim_end()
    );

    // A client that connects and says nothing. When the server closes the
    // connection, read returns 0 bytes.
    let mut silent = TcpStream::connect(address).await?;
    let mut byte = [0; 1];
    match timeout(Duration::from_millis(500), silent.read(&mut byte)).await {
        Ok(Ok(0)) => println!("the server closed the silent connection"),
        Ok(other) => println!("unexpected: {other:?}"),
        Err(_) => println!("after 500 ms the silent connection is still open"),
    }
    Ok(())
}
