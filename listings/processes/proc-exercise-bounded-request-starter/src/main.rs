use std::env;
use std::error::Error;
use std::io::{self, BufRead, BufReader, ErrorKind, Write};
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
/// Reads request lines until the client hangs up; returns the size of the
/// largest line it had to hold in memory.
fn serve(socket: &UnixStream) -> io::Result<usize> {
    let mut requests = BufReader::new(socket);
    let mut largest = 0;
    loop {
        let mut line = String::new();
        // TODO: a client decides how much this buffers. Bound it.
        if requests.read_line(&mut line)? == 0 {
            return Ok(largest);
        }
        largest = largest.max(line.len());
        match line.len() <= MAX_REQUEST {
            true => println!(
                "server: request {:?} ({} bytes)",
                line.trim_end(),
                line.len()
            ),
            false => println!(
                "server: request of {} bytes, all of it held in memory",
                line.len()
            ),
        }
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
    if largest > MAX_REQUEST + 1 {
        // The starter runs to the end so you can see the problem.
        println!("not finished: one client made the server hold {largest} bytes");
    }
    Ok(())
}
