use std::error::Error;
use std::io::{self, BufWriter, PipeReader, PipeWriter, Read, Write};
use std::process;

use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, fork};

// ANCHOR: framing
/// The largest message either side accepts. A length prefix is a promise
/// from the peer; never allocate what it claims without a bound.
const MAX_MESSAGE: usize = 64 * 1024;

/// Writes one message: its length as 4 big-endian bytes, then its bytes.
fn send(out: &mut impl Write, message: &str) -> io::Result<()> {
    if message.len() > MAX_MESSAGE {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "a message of {} bytes; the limit is {MAX_MESSAGE}",
                message.len()
            ),
        ));
    }
    out.write_all(&(message.len() as u32).to_be_bytes())?;
    out.write_all(message.as_bytes())
}

/// Reads one message, or `None` at a clean end of the stream (the writer
/// closed its end between two messages).
fn receive(input: &mut impl Read) -> io::Result<Option<String>> {
    let mut header = [0; 4];
    let got = read_retrying(input, &mut header)?;
    if got == 0 {
        return Ok(None);
    }
    // A stream may deliver the 4 bytes in pieces: wait for the rest.
    input.read_exact(&mut header[got..])?;
    let length = u32::from_be_bytes(header) as usize;
    if length > MAX_MESSAGE {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("the peer announced {length} bytes; the limit is {MAX_MESSAGE}"),
        ));
    }
    let mut body = vec![0; length];
    input.read_exact(&mut body)?;
    String::from_utf8(body)
        .map(Some)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}
// ANCHOR_END: framing

/// One `read`, called again when a signal interrupted it (`EINTR`): unlike
/// `read_exact`, a bare `read` does not retry by itself.
fn read_retrying(input: &mut impl Read, buffer: &mut [u8]) -> io::Result<usize> {
    loop {
        match input.read(buffer) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

// ANCHOR: sides
fn child_main(write_end: PipeWriter) -> io::Result<()> {
    let mut out = BufWriter::new(write_end);
    send(&mut out, "a report\nthat spans two lines")?;
    send(&mut out, "")?;
    send(&mut out, "done ✓")?;
    // A buggy or hostile peer: a header that claims 4 GiB - 1.
    out.write_all(&u32::MAX.to_be_bytes())?;
    // process::exit runs no destructors: flush by hand, or lose the buffer.
    out.flush()
}

fn receive_all(input: &mut PipeReader) -> io::Result<()> {
    while let Some(message) = receive(input)? {
        println!("parent received {} bytes: {message:?}", message.len());
    }
    println!("parent: end of the pipe");
    Ok(())
}
// ANCHOR_END: sides

// ANCHOR: main
fn main() -> Result<(), Box<dyn Error>> {
    // std::io::pipe: close-on-exec, so no program we start inherits it.
    let (read_end, write_end) = io::pipe()?;
    // SAFETY: this program starts no threads, so it is single-threaded here.
    match unsafe { fork() }? {
        ForkResult::Child => {
            drop(read_end);
            let code = match child_main(write_end) {
                Ok(()) => 0,
                Err(e) => {
                    eprintln!("child: cannot send: {e}");
                    1
                }
            };
            process::exit(code);
        }
        ForkResult::Parent { child } => {
            // Close our copy of the write end, or the pipe never reaches its
            // end: we would wait for our own silence.
            drop(write_end);
            let mut input = read_end;
            let received = match receive_all(&mut input) {
                Err(e) if e.kind() == io::ErrorKind::InvalidData => {
                    println!("parent: refused the rest: {e}");
                    Ok(())
                }
                other => other,
            };
            // Even if reading failed, reap the child before reporting: close
            // the read end first, so a child still writing gets an error
            // instead of blocking forever on a full pipe.
            drop(input);
            let status = waitpid(child, None)?;
            received?;
            match status {
                WaitStatus::Exited(_, 0) => Ok(()),
                other => Err(format!("the child failed: {other:?}").into()),
            }
        }
    }
}
// ANCHOR_END: main
