use std::error::Error;
use std::io::Write;
use std::process::{Command, Stdio};
use std::thread;

// ANCHOR: all
fn main() -> Result<(), Box<dyn Error>> {
    // Feed a child's stdin and read its stdout: `tr` turns text upper case.
    let mut shout = Command::new("tr")
        .arg("a-z")
        .arg("A-Z")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut stdin = shout.stdin.take().ok_or("stdin was not piped")?;
    // Write from another thread: tr writes while it reads, and if its output
    // pipe filled up while we were still writing, both would wait forever.
    let writer = thread::spawn(move || {
        // Dropping `stdin` at the end closes the pipe: tr sees end of input.
        stdin.write_all(b"quiet words\nbecome loud\n")
    });
    let output = shout.wait_with_output()?;
    writer.join().map_err(|_| "the writer thread panicked")??;
    print!("tr printed:\n{}", String::from_utf8(output.stdout)?);

    // `printf ... | sort`: the first child's stdout is the second's stdin.
    let mut producer = Command::new("printf")
        .args(["%s\n", "pear", "apple", "fig"])
        .stdout(Stdio::piped())
        .spawn()?;
    let pipe_out = producer.stdout.take().ok_or("stdout was not piped")?;
    let sorter = Command::new("sort")
        .stdin(Stdio::from(pipe_out))
        .stdout(Stdio::piped())
        .spawn()?;
    let sorted = sorter.wait_with_output()?;
    // Wait for both, and check both, like a shell's `set -o pipefail`.
    let producer_status = producer.wait()?;
    if !producer_status.success() || !sorted.status.success() {
        return Err(format!("pipeline failed: {producer_status}, {}", sorted.status).into());
    }
    print!(
        "printf | sort printed:\n{}",
        String::from_utf8(sorted.stdout)?
    );
    Ok(())
}
// ANCHOR_END: all
