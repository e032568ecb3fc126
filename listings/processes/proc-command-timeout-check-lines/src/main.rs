// ANCHOR: readers
use std::error::Error;
use std::io::{self, Read};
use std::thread::{self, JoinHandle};

/// Reads a pipe to its end on a thread of its own.
fn read_in_thread<R: Read + Send + 'static>(pipe: Option<R>) -> JoinHandle<io::Result<Vec<u8>>> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            pipe.read_to_end(&mut bytes)?;
        }
        Ok(bytes)
    })
}

/// What a reader read, once it has reached the end of its pipe.
fn joined(reader: JoinHandle<io::Result<Vec<u8>>>) -> Result<Vec<u8>, Box<dyn Error>> {
    Ok(reader.join().map_err(|_| "a reader thread panicked")??)
}
// ANCHOR_END: readers

// ANCHOR: timeout
// A `use` may stand anywhere in a module, not only at the top of the
// file: these sit next to the code that needs them.
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use wait_timeout::ChildExt;

/// subprocess.run(capture_output=True, timeout=...): capture stdout and
/// stderr, wait at most `limit`, then kill and reap.
fn run_with_timeout(command: &mut Command, limit: Duration) -> Result<Output, Box<dyn Error>> {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    // Read both pipes while we wait: a child whose output pipe is full
    // blocks, and would look stuck.
    let stdout = read_in_thread(child.stdout.take());
    let stderr = read_in_thread(child.stderr.take());
    let waited = child.wait_timeout(limit);
    let Ok(Some(status)) = waited else {
        // Too late, or waiting failed: the child must not outlive us.
        // The readers end by themselves when its pipes close.
        let _ = child.kill();
        child.wait()?;
        waited?; // returns only if waiting itself failed, not on a timeout
        return Err(format!("timed out after {limit:?}, killed").into());
    };
    Ok(Output {
        status,
        stdout: joined(stdout)?,
        stderr: joined(stderr)?,
    })
}

fn demo_timeout() -> Result<(), Box<dyn Error>> {
    // Far more output than a pipe holds: it works because it is read.
    let chatty = run_with_timeout(Command::new("seq").arg("100000"), Duration::from_secs(5))?;
    println!(
        "seq 100000: {}, {} bytes",
        chatty.status,
        chatty.stdout.len()
    );
    match run_with_timeout(Command::new("sleep").arg("10"), Duration::from_millis(200)) {
        Err(error) => println!("sleep 10: {error}"),
        Ok(output) => return Err(format!("sleep 10 ended on its own: {}", output.status).into()),
    }
    Ok(())
}
// ANCHOR_END: timeout

// ANCHOR: check
/// subprocess.run(check=True): a failed status becomes an error that
/// carries the child's stderr.
fn run_checked(command: &mut Command) -> Result<String, Box<dyn Error>> {
    let output = command.output()?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let program = command.get_program().display();
        return Err(format!("{program} failed, {}: {}", output.status, stderr.trim_end()).into());
    }
    Ok(String::from_utf8(output.stdout)?)
}

fn demo_check() -> Result<(), Box<dyn Error>> {
    print!(
        "echo printed: {}",
        run_checked(Command::new("echo").arg("fine"))?
    );
    let script = "echo 'no such file: data.txt' >&2; exit 2";
    match run_checked(Command::new("sh").args(["-c", script])) {
        Err(error) => println!("{error}"),
        Ok(_) => return Err("the failing script succeeded".into()),
    }
    Ok(())
}
// ANCHOR_END: check

// ANCHOR: lines
use std::io::{BufRead, BufReader};
use std::process::{ChildStdin, ChildStdout};

/// Prints the child's lines as they come. The first arrives while the
/// child waits for its input, so it is read before the child can end.
fn print_lines(stdout: ChildStdout, stdin: ChildStdin) -> io::Result<()> {
    let mut lines = BufReader::new(stdout).lines();
    if let Some(line) = lines.next() {
        println!("got {:?} while sh still runs", line?);
    }
    drop(stdin); // the end of sh's input: it goes on, prints, ends
    for line in lines {
        println!("got {:?}", line?);
    }
    Ok(())
}

fn demo_lines() -> Result<(), Box<dyn Error>> {
    let mut child = Command::new("sh")
        .args(["-c", "echo first; read line; echo second; echo third"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let stdin = child.stdin.take().expect("stdin is piped");
    let stdout = child.stdout.take().expect("stdout is piped");
    let printed = print_lines(stdout, stdin);
    let status = child.wait()?; // reap sh even if reading failed
    printed?;
    println!("sh ended: {status}");
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    demo_timeout()?;
    demo_check()?;
    demo_lines()
}
// ANCHOR_END: lines
