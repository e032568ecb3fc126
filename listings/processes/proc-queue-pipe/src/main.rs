use std::collections::BTreeMap;
use std::env;
use std::error::Error;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::fd::AsFd;
use std::process::{Child, Command};

use serde::{Deserialize, Serialize};

const ROLE_VARIABLE: &str = "QUEUE_PRODUCER";
const PRODUCERS: u32 = 3;
const READINGS: u32 = 5;
/// libc's PIPE_BUF as a usize: libc declares it as usize on some systems
/// and as c_int on others (illumos).
#[allow(clippy::unnecessary_cast)]
const PIPE_BUF: usize = libc::PIPE_BUF as usize;

// ANCHOR: message
/// One message on the queue. serde turns it into a line of JSON and back,
/// which is what pickle does for multiprocessing.Queue.
#[derive(Serialize, Deserialize)]
struct Reading {
    producer: u32,
    seq: u32,
    celsius: f64,
}

/// Sends one message with one write(2). A pipe never splits or interleaves
/// a write of at most PIPE_BUF bytes (POSIX: at least 512; 4096 on Linux),
/// so lines from several producers cannot tear each other apart.
fn put(queue: &mut File, reading: &Reading) -> Result<(), Box<dyn Error>> {
    let mut line = serde_json::to_vec(reading)?;
    line.push(b'\n');
    if line.len() > PIPE_BUF {
        return Err(format!("a message of {} bytes could be torn", line.len()).into());
    }
    // One write(2): a File has no buffer of its own, and a blocking pipe
    // takes a write of at most PIPE_BUF bytes whole, so write_all does not
    // loop (it only retries a write that a signal interrupted).
    queue.write_all(&line)?;
    Ok(())
}
// ANCHOR_END: message

// ANCHOR: producer
/// A producer: this program again, with our end of the queue as its stdout.
fn producer(id: u32) -> Result<(), Box<dyn Error>> {
    // An unbuffered handle on fd 1, so that `put` controls every write.
    let mut queue = File::from(io::stdout().as_fd().try_clone_to_owned()?);
    for seq in 0..READINGS {
        let celsius = 20.0 + f64::from(id) + f64::from(seq) / 10.0;
        put(
            &mut queue,
            &Reading {
                producer: id,
                seq,
                celsius,
            },
        )?;
    }
    Ok(())
}
// ANCHOR_END: producer

// ANCHOR: consumer
/// The consumer: reads the one pipe until every producer has closed it.
fn consume(queue: impl Read) -> Result<BTreeMap<u32, Vec<u32>>, Box<dyn Error>> {
    let mut seen: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    let mut lines = BufReader::new(queue);
    loop {
        let mut line = String::new();
        // A message is at most PIPE_BUF bytes: never buffer more for one.
        if (&mut lines).take(PIPE_BUF as u64).read_line(&mut line)? == 0 {
            return Ok(seen); // every write end is closed
        }
        let reading: Reading = serde_json::from_str(&line)?;
        seen.entry(reading.producer).or_default().push(reading.seq);
    }
}
// ANCHOR_END: consumer

// ANCHOR: main
fn main() -> Result<(), Box<dyn Error>> {
    if let Ok(id) = env::var(ROLE_VARIABLE) {
        return producer(id.parse()?);
    }
    let (reader, writer) = io::pipe()?;
    let mut producers: Vec<Child> = Vec::new();
    let mut started = Ok(());
    for id in 1..=PRODUCERS {
        let spawned = writer.try_clone().and_then(|end| {
            Command::new(env::current_exe()?)
                .env(ROLE_VARIABLE, id.to_string())
                .stdout(end)
                .spawn()
        });
        match spawned {
            Ok(child) => producers.push(child),
            Err(e) => {
                started = Err(e);
                break;
            }
        }
    }
    drop(writer); // from now on, only the producers hold write ends
    let consumed = consume(reader);
    let mut failed = Vec::new();
    for mut child in producers {
        match child.wait() {
            Ok(status) if status.success() => {}
            other => failed.push(format!("{other:?}")),
        }
    }
    started?;
    let seen = consumed?;
    if !failed.is_empty() {
        return Err(format!("producers failed: {}", failed.join(", ")).into());
    }
    print_summary(&seen);
    Ok(())
}
// ANCHOR_END: main

/// How many readings came from each producer, and whether in order.
fn print_summary(seen: &BTreeMap<u32, Vec<u32>>) {
    for (producer, seqs) in seen {
        let in_order = seqs.windows(2).all(|pair| pair[0] < pair[1]);
        println!(
            "producer {producer}: {} readings, in order: {in_order}",
            seqs.len()
        );
    }
    let total: usize = seen.values().map(Vec::len).sum();
    println!(
        "{total} messages from {} producers over one pipe, none torn",
        seen.len()
    );
}
