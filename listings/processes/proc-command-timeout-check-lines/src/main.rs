// ANCHOR: timeout
use std::error::Error;
use std::process::{Command, ExitStatus};
use std::time::Duration;

use wait_timeout::ChildExt;

/// subprocess.run(timeout=...): wait at most `limit`, then kill and reap.
fn run_with_timeout(command: &mut Command, limit: Duration) -> Result<ExitStatus, Box<dyn Error>> {
    let mut child = command.spawn()?;
    let waited = child.wait_timeout(limit);
    if let Ok(Some(status)) = waited {
        return Ok(status);
    }
    // Too late, or waiting failed: the child must not outlive us.
    let _ = child.kill();
    child.wait()?;
    waited?;
    Err(format!("timed out after {limit:?}, killed").into())
}

fn demo_timeout() -> Result<(), Box<dyn Error>> {
    let quick = run_with_timeout(&mut Command::new("true"), Duration::from_secs(5))?;
    println!("true: {quick}");
    match run_with_timeout(Command::new("sleep").arg("10"), Duration::from_millis(200)) {
        Err(error) => println!("sleep 10: {error}"),
        Ok(status) => return Err(format!("sleep 10 ended on its own: {status}").into()),
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
// These `use` lines usually open the file; here they come with the code
// that needs them.
use std::io::{self, BufRead, BufReader};
use std::process::{ChildStdin, ChildStdout, Stdio};

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
