use std::env;
use std::error::Error;
use std::io::{self, BufRead, BufReader, ErrorKind, Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::process::{Command, Stdio};

const ROLE_VARIABLE: &str = "BOUNDED_REQUEST_ROLE";
/// The longest request line the server should accept.
const MAX_REQUEST: usize = 256;

/// The client: a normal request, a 1 MiB one, and a normal one again. If
/// the server hangs up on it, that is the server's right: exit quietly.
fn client() -> Result<(), Box<dyn Error>> {
    let socket = UnixStream::from(io::stdin().as_fd().try_clone_to_owned()?);
    let huge = "x".repeat(1024 * 1024);
    let mut to_server = &socket;
    for request in ["apples", huge.as_str(), "pears"] {
        match writeln!(to_server, "{request}") {
            Ok(()) => {}
            Err(e) if matches!(e.kind(), ErrorKind::BrokenPipe | ErrorKind::ConnectionReset) => {
                return Ok(());
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

// ANCHOR: all
/// Reads request lines until the client hangs up or sends one longer than
/// `MAX_REQUEST`; returns the size of the largest line it had to hold.
fn serve(socket: &UnixStream) -> io::Result<usize> {
    // The reader's own buffer counts too: BufReader::new would read ahead
    // up to its default capacity, so give it room for one request only.
    let mut requests = BufReader::with_capacity(MAX_REQUEST + 1, socket);
    let mut largest = 0;
    loop {
        let mut line = String::new();
        // At most MAX_REQUEST bytes and the newline: the client cannot make
        // this buffer more, whatever it sends.
        let got = (&mut requests)
            .take(MAX_REQUEST as u64 + 1)
            .read_line(&mut line)?;
        if got == 0 {
            return Ok(largest);
        }
        largest = largest.max(line.len());
        if !line.ends_with('\n') {
            // Without its newline, the line was cut by `take` if it is as
            // long as the bound, or else by the end of the stream.
            match line.len() > MAX_REQUEST {
                true => println!(
                    "server: refused a request longer than {MAX_REQUEST} bytes; hanging up"
                ),
                false => println!("server: the client hung up in the middle of a request"),
            }
            return Ok(largest);
        }
        println!(
            "server: request {:?} ({} bytes)",
            line.trim_end(),
            line.len()
        );
    }
}
// ANCHOR_END: all

fn main() -> Result<(), Box<dyn Error>> {
    if env::var_os(ROLE_VARIABLE).is_some() {
        return client();
    }
    let (ours, theirs) = UnixStream::pair()?;
    let mut client = Command::new(env::current_exe()?)
        .env(ROLE_VARIABLE, "client")
        .stdin(Stdio::from(OwnedFd::from(theirs)))
        .spawn()?;
    let served = serve(&ours);
    drop(ours); // a client still writing gets an error, not a hang
    let status = client.wait()?;
    let largest = served?;
    if !status.success() {
        return Err(format!("the client failed: {status}").into());
    }
    println!("server: the largest request it held was {largest} bytes");
    if largest > MAX_REQUEST + 1 {
        return Err("a request was not bounded".into());
    }
    Ok(())
}
