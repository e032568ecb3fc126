use std::collections::HashMap;
use std::env;
use std::error::Error;
use std::fs;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::fd::AsFd;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::unistd::mkdtemp;
use wait_timeout::ChildExt;

/// How long the server waits for a client, and then how long one client's
/// whole conversation may take.
const PATIENCE: Duration = Duration::from_secs(2);
/// The longest request line the server reads.
const MAX_REQUEST: u64 = 256;

// ANCHOR: dir
/// A fresh directory only we can use (mkdtemp makes it with mode 0700),
/// removed with the socket file inside it when this value is dropped.
struct PrivateDir(PathBuf);

impl PrivateDir {
    fn new() -> nix::Result<PrivateDir> {
        mkdtemp(&env::temp_dir().join("proc-unix-socket-XXXXXX")).map(PrivateDir)
    }
}

impl Drop for PrivateDir {
    fn drop(&mut self) {
        if let Err(e) = fs::remove_dir_all(&self.0) {
            eprintln!("cannot remove {}: {e}", self.0.display());
        }
    }
}

// ANCHOR_END: dir

// ANCHOR: serve
/// The server side: answer every line until the client hangs up. A client
/// that takes more than `PATIENCE` in all, sends a line longer than
/// `MAX_REQUEST` bytes, or does not read its answers, gets an error instead
/// of holding the server.
fn serve(stream: UnixStream) -> io::Result<usize> {
    let connection = Deadlined {
        stream: &stream,
        deadline: Instant::now() + PATIENCE,
    };
    let prices = HashMap::from([("apples", "120 cents"), ("pears", "95 cents")]);
    let mut answered = 0;
    let mut requests = BufReader::new(connection);
    loop {
        let mut request = String::new();
        // `take` bounds what one line may make us buffer.
        let got = (&mut requests)
            .take(MAX_REQUEST + 1)
            .read_line(&mut request)?;
        if got == 0 {
            return Ok(answered); // the client hung up
        }
        let Some(request) = request.strip_suffix('\n') else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "request line too long, or cut short",
            ));
        };
        println!("server: request for {request}");
        let answer = prices.get(request).unwrap_or(&"an unknown price");
        writeln!(requests.get_mut(), "{answer}")?;
        answered += 1;
    }
}
// ANCHOR_END: serve

// ANCHOR: deadlined
/// One connection with one deadline. A socket timeout bounds each read or
/// write, not a request: a client sending a byte a second would reset it
/// every time. So before each read and each write the timeout is set to
/// what is left of the connection's deadline.
struct Deadlined<'a> {
    stream: &'a UnixStream,
    deadline: Instant,
}

impl Deadlined<'_> {
    fn left(&self) -> io::Result<Duration> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(deadline_passed());
        }
        Ok(left)
    }
}

impl Read for Deadlined<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.stream.set_read_timeout(Some(self.left()?))?;
        self.stream.read(buf).map_err(timed_out)
    }
}

impl Write for Deadlined<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.stream.set_write_timeout(Some(self.left()?))?;
        self.stream.write(buf).map_err(timed_out)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(()) // a socket keeps no buffer of ours
    }
}

fn deadline_passed() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, "deadline passed")
}

/// A socket timeout comes back as WouldBlock on Unix: say what it means.
fn timed_out(e: io::Error) -> io::Error {
    if e.kind() == io::ErrorKind::WouldBlock {
        deadline_passed()
    } else {
        e
    }
}

// ANCHOR_END: deadlined

// ANCHOR: accept
/// accept(), but give up if no client comes within `PATIENCE`.
fn accept_in_time(listener: &UnixListener) -> io::Result<UnixStream> {
    // Non-blocking: a connection that poll saw can be gone by the time we
    // accept it, and a blocking accept would then wait for the next one.
    listener.set_nonblocking(true)?;
    let deadline = Instant::now() + PATIENCE;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "no client connected",
            ));
        }
        // poll counts whole milliseconds: round up, or the last one spins.
        let millis = left.as_micros().div_ceil(1000);
        let timeout = PollTimeout::try_from(millis).unwrap_or(PollTimeout::MAX);
        let mut ready = [PollFd::new(listener.as_fd(), PollFlags::POLLIN)];
        match poll(&mut ready, timeout) {
            Ok(0) | Err(Errno::EINTR) => {} // the loop checks the deadline
            Ok(_) => match listener.accept() {
                Ok((stream, _)) => {
                    // Linux's accept does not pass the listener's O_NONBLOCK
                    // on, but macOS and the BSDs do; the timeouts need it
                    // blocking.
                    stream.set_nonblocking(false)?;
                    return Ok(stream);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {} // poll again
                Err(e) => return Err(e),
            },
            Err(e) => return Err(e.into()),
        }
    }
}
// ANCHOR_END: accept

// ANCHOR: main
/// Holds the socket's path in the environment of the client process.
const SOCKET_VARIABLE: &str = "PRICE_SERVICE_SOCKET";

fn main() -> Result<(), Box<dyn Error>> {
    if let Some(socket) = env::var_os(SOCKET_VARIABLE) {
        return client(Path::new(&socket));
    }
    let dir = PrivateDir::new()?;
    let socket = dir.0.join("prices.sock");
    let listener = UnixListener::bind(&socket)?;
    // Bound before the client starts, so its connect cannot come too early.
    let mut client = Command::new(env::current_exe()?)
        .env(SOCKET_VARIABLE, &socket)
        .spawn()?;
    let served = accept_in_time(&listener).and_then(serve);
    // After a good conversation the client gets PATIENCE to end; after a
    // failure, no time.
    let patience = if served.is_ok() {
        PATIENCE
    } else {
        Duration::ZERO
    };
    let status = reap_within(&mut client, patience)?;
    let answered = served?;
    if !status.success() {
        return Err(format!("the client failed: {status}").into());
    }
    println!("server: answered {answered} requests; the client ended: {status}");
    Ok(())
    // `dir` is dropped here: the socket file and its directory are removed.
}

/// Waits for `child` to end, at most `patience`: waiting for the client
/// process is waiting for the peer too. A child still running then is
/// stuck or slow: kill it, then reap it. A failed wait or kill does not
/// stop the reaping.
fn reap_within(child: &mut Child, patience: Duration) -> io::Result<ExitStatus> {
    if let Ok(Some(status)) = child.wait_timeout(patience) {
        return Ok(status);
    }
    let _ = child.kill();
    child.wait()
}
// ANCHOR_END: main

/// The client process: ask for three prices, one line each way.
fn client(socket: &Path) -> Result<(), Box<dyn Error>> {
    let mut to_server = UnixStream::connect(socket)?;
    let mut from_server = BufReader::new(to_server.try_clone()?);
    for fruit in ["apples", "pears", "kiwis"] {
        writeln!(to_server, "{fruit}")?;
        let mut answer = String::new();
        if from_server.read_line(&mut answer)? == 0 {
            return Err("the server hung up".into());
        }
        print!("client: {fruit} cost {answer}");
    }
    Ok(())
}
