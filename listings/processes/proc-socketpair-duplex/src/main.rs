use std::env;
use std::error::Error;
use std::io::{self, BufRead, BufReader, Write};
use std::net::Shutdown;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::process::{Command, Stdio};

const ROLE_VARIABLE: &str = "DUPLEX_ROLE";

// ANCHOR: child
/// The child: its stdin is a socket, so it reads and answers on the same
/// descriptor, until the parent shuts down its sending side.
fn child() -> Result<(), Box<dyn Error>> {
    let fd: OwnedFd = io::stdin().as_fd().try_clone_to_owned()?;
    let socket = UnixStream::from(fd);
    let mut answers = &socket;
    for line in BufReader::new(&socket).lines() {
        let number: u64 = line?.trim().parse()?;
        writeln!(answers, "{}", number * number)?;
    }
    Ok(()) // end of the stream: the parent has nothing more to ask
}
// ANCHOR_END: child

// ANCHOR: parent
fn main() -> Result<(), Box<dyn Error>> {
    if env::var_os(ROLE_VARIABLE).is_some() {
        return child();
    }
    // Two connected sockets, no name: Python's Pipe(duplex=True).
    let (ours, theirs) = UnixStream::pair()?;
    let mut worker = Command::new(env::current_exe()?)
        .env(ROLE_VARIABLE, "child")
        .stdin(Stdio::from(OwnedFd::from(theirs)))
        .spawn()?;
    // `theirs` was moved into the Command. The Command is dropped at the
    // end of the statement, and our copy of `theirs` closes with it: only
    // the child holds that socket now.
    let talked = talk(&ours);
    drop(ours); // if talking failed midway, the child sees the end and exits
    let status = worker.wait()?;
    talked?;
    if !status.success() {
        return Err(format!("the child failed: {status}").into());
    }
    println!("parent: the child ended: {status}");
    Ok(())
}

fn talk(socket: &UnixStream) -> io::Result<()> {
    let mut answers = BufReader::new(socket);
    let mut questions = socket;
    for number in [3, 12, 100] {
        writeln!(questions, "{number}")?;
        let mut answer = String::new();
        if answers.read_line(&mut answer)? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the child hung up",
            ));
        }
        println!("parent: {number} squared is {}", answer.trim());
    }
    // Close our sending half only: the child reads the end of its input,
    // and we could still read anything it sends last.
    socket.shutdown(Shutdown::Write)
}
// ANCHOR_END: parent
