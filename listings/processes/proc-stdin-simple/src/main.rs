// ANCHOR: all
use std::error::Error;
use std::io::{Read, Write};
use std::process::{Command, Stdio};

fn main() -> Result<(), Box<dyn Error>> {
    let mut tr = Command::new("tr")
        .args(["a-z", "A-Z"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut stdin = tr.stdin.take().expect("stdin is piped");
    // Safe for a small input only: a large one can hang (see below).
    let written = stdin.write_all(b"quiet words\nbecome loud\n");
    // Closing the pipe is how tr learns that its input has ended.
    drop(stdin);
    let mut shouted = String::new();
    let mut stdout = tr.stdout.take().expect("stdout is piped");
    let read = stdout.read_to_string(&mut shouted);
    // Reap tr before any `?` can return: keep the errors, wait, then check.
    let status = tr.wait()?;
    written?;
    read?;
    print!("tr printed:\n{shouted}");
    println!("tr ended: {status}");
    Ok(())
}
// ANCHOR_END: all
