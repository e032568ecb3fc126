use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, duplex};
use tokio::sync::{mpsc, oneshot};

/// A status request: how many lines has the reader seen so far?
type StatusRequest = oneshot::Sender<usize>;

/// The peer: sends one line and half of the next, asks for the reader's
/// status, and sends the rest only after the answer. That forces the
/// interleaving in which a half-read line meets another select! branch.
async fn peer(mut to_reader: DuplexStream, status: mpsc::Sender<StatusRequest>) {
    to_reader
        .write_all(b"apple\nban")
        .await
        .expect("the reader is gone");
    let (ask, answer) = oneshot::channel();
    status.send(ask).await.expect("the reader is gone");
    let _ = answer.await;
    to_reader
        .write_all(b"ana\ncherry\n")
        .await
        .expect("the reader is gone");
}

// ANCHOR: lossy
/// Reads lines with `read_line` inside `select!`: NOT cancel safe.
async fn read_lines_lossy(from_peer: DuplexStream, mut status: mpsc::Receiver<StatusRequest>) {
    let mut reader = BufReader::new(from_peer);
    let mut seen = Vec::new();
    let mut line = String::new();
    loop {
        tokio::select! {
            biased; // try the branches in the order written
            read = reader.read_line(&mut line) => {
                if read.expect("reading failed") == 0 {
                    break; // the peer closed
                }
                seen.push(line.trim_end().to_owned());
                line.clear(); // only once a whole line is kept
            }
            Some(ask) = status.recv() => {
                // read_line's future is dropped here, with "ban" in it.
                let _ = ask.send(seen.len());
            }
        }
    }
    println!("read_line in select!:  {seen:?}");
    if !seen.iter().any(|line| line == "banana") {
        println!("  data lost: \"banana\" never arrived whole");
    }
}
// ANCHOR_END: lossy

// ANCHOR: safe
/// The same loop with `Lines::next_line`, which keeps a half-read line in
/// the `Lines` value between calls: cancel safe.
async fn read_lines_safe(from_peer: DuplexStream, mut status: mpsc::Receiver<StatusRequest>) {
    let mut lines = BufReader::new(from_peer).lines();
    let mut seen = Vec::new();
    loop {
        tokio::select! {
            biased;
            line = lines.next_line() => match line.expect("reading failed") {
                Some(line) => seen.push(line),
                None => break,
            },
            Some(ask) = status.recv() => {
                let _ = ask.send(seen.len());
            }
        }
    }
    println!("Lines::next_line:      {seen:?}");
}
// ANCHOR_END: safe

#[tokio::main(flavor = "current_thread")]
async fn main() {
    for safe in [false, true] {
        let (to_reader, from_peer) = duplex(64);
        let (status, requests) = mpsc::channel(1);
        let peer = tokio::spawn(peer(to_reader, status));
        if safe {
            read_lines_safe(from_peer, requests).await;
        } else {
            read_lines_lossy(from_peer, requests).await;
        }
        peer.await.expect("the peer panicked");
    }
}
