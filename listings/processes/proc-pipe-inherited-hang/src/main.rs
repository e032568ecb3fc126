use std::error::Error;
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

/// How long the reader waits for the end of the pipe before giving up.
const PATIENCE: Duration = Duration::from_millis(300);

/// Reads until the end of the pipe, or until `PATIENCE` has passed.
/// Returns what was read and whether the end came.
fn read_with_deadline(reader: &mut File) -> io::Result<(String, bool)> {
    let deadline = Instant::now() + PATIENCE;
    let mut text = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok((String::from_utf8_lossy(&text).into_owned(), false));
        }
        // poll counts whole milliseconds: round up, or the last one spins.
        // A timeout too large for poll waits as long as poll can.
        let millis = left.as_micros().div_ceil(1000);
        let timeout = PollTimeout::try_from(millis).unwrap_or(PollTimeout::MAX);
        let mut fds = [PollFd::new(reader.as_fd(), PollFlags::POLLIN)];
        match poll(&mut fds, timeout) {
            Ok(0) => continue, // the loop checks the deadline
            Ok(_) => {}
            // A signal handler ran: poll is never restarted, so poll again.
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e.into()),
        }
        let mut chunk = [0; 256];
        match reader.read(&mut chunk) {
            Ok(0) => return Ok((String::from_utf8_lossy(&text).into_owned(), true)),
            Ok(n) => text.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

// ANCHOR: experiment
/// Makes a pipe, starts an unrelated program, writes one line, closes our
/// write end and reads. Returns whether the end of the pipe came in time.
fn experiment(
    name: &str,
    (read_end, write_end): (OwnedFd, OwnedFd),
) -> Result<bool, Box<dyn Error>> {
    // `sleep` knows nothing of our pipe; it only inherits what is open.
    let mut sleeper = Command::new("sleep")
        .arg("10")
        .stdin(Stdio::null())
        .spawn()?;
    let result = write_and_read(write_end, read_end);
    // Whatever happened, stop and reap `sleep` before going on.
    // Keep every error, reap in any case, then report the first.
    let killed = sleeper.kill();
    let reaped = sleeper.wait();
    killed?;
    reaped?;
    let (text, ended) = result?;
    let verdict = match ended {
        true => "the end of the pipe came at once".to_string(),
        false => format!("no end of the pipe after {} ms", PATIENCE.as_millis()),
    };
    println!("{name}: read {text:?}, {verdict}");
    Ok(ended)
}

fn write_and_read(write_end: OwnedFd, read_end: OwnedFd) -> io::Result<(String, bool)> {
    let mut writer = File::from(write_end);
    writeln!(writer, "the only message")?;
    drop(writer); // our last write end... or so we think
    read_with_deadline(&mut File::from(read_end))
}
// ANCHOR_END: experiment

// ANCHOR: main
fn main() -> Result<(), Box<dyn Error>> {
    // A plain pipe(2): both ends survive exec, so `sleep` gets a write end.
    let leaked = experiment("nix::unistd::pipe", nix::unistd::pipe()?)?;
    if leaked {
        return Err("expected the leaked write end to keep the pipe open".into());
    }
    println!("-> `sleep` held a copy of the write end: the reader waited for it");
    // std::io::pipe sets close-on-exec: `sleep` gets nothing.
    let (reader, writer) = io::pipe()?;
    let clean = experiment("std::io::pipe", (reader.into(), writer.into()))?;
    if !clean {
        return Err("std::io::pipe should not leak into the child".into());
    }
    Ok(())
}
// ANCHOR_END: main
