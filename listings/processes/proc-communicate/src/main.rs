// ANCHOR: all
use std::error::Error;
use std::io::Write;
use std::process::{Command, Stdio};
use std::thread;

fn main() -> Result<(), Box<dyn Error>> {
    // Far more than a pipe holds: the four steps could hang on it.
    let text = "quiet words\n".repeat(20_000);
    let sent = text.len();
    let mut tr = Command::new("tr")
        .args(["a-z", "A-Z"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut stdin = tr.stdin.take().expect("stdin is piped");
    // The thread writes while wait_with_output reads, so neither side waits
    // on a full pipe. Dropping stdin at the end of the closure closes the
    // pipe: tr sees the end of its input.
    thread::spawn(move || stdin.write_all(text.as_bytes()));
    let output = tr.wait_with_output()?;
    let shouted = String::from_utf8(output.stdout)?;
    println!("sent {sent} bytes, got {} back", shouted.len());
    println!("first line: {}", shouted.lines().next().unwrap_or(""));
    println!("tr ended: {}", output.status);
    Ok(())
}
// ANCHOR_END: all
