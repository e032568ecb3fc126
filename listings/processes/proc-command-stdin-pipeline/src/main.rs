// ANCHOR: shout
use std::error::Error;
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::thread;

/// Feeds a child's stdin and reads its stdout: `tr` turns text upper case.
fn shout(text: String) -> Result<String, Box<dyn Error>> {
    let mut tr = Command::new("tr")
        .args(["a-z", "A-Z"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut stdin = tr.stdin.take().expect("stdin is piped");
    let mut stdout = tr.stdout.take().expect("stdout is piped");
    // Write from another thread: tr writes while it reads, and if its output
    // pipe filled up while we were still writing, both would wait forever.
    // `move` gives the thread `text` and `stdin`. Dropping `stdin` at the
    // end of the closure closes the pipe: tr sees the end of its input.
    let writer = thread::spawn(move || stdin.write_all(text.as_bytes()));
    let mut shouted = String::new();
    let read = stdout.read_to_string(&mut shouted);
    // Close our end first: if the read failed midway, tr must not block on
    // a full pipe that nobody reads while we wait for it.
    drop(stdout);
    // Reap tr before looking at any error: no early return leaves it behind.
    let status = tr.wait();
    let written = writer.join().map_err(|_| "the writer thread panicked")?;
    let status = status?;
    // tr's own failure first: when tr dies early, the writer's BrokenPipe
    // is only a consequence of it.
    if !status.success() {
        return Err(format!("tr failed: {status}").into());
    }
    written?;
    read?;
    Ok(shouted)
}
// ANCHOR_END: shout

// ANCHOR: pipeline
/// `printf ... | sort`: the first child's stdout is the second's stdin.
fn sorted_words() -> Result<String, Box<dyn Error>> {
    let mut producer = Command::new("printf")
        .args(["%s\n", "pear", "apple", "fig"])
        .stdout(Stdio::piped())
        .spawn()?;
    let pipe_out = producer.stdout.take().expect("stdout is piped");
    let spawned = Command::new("sort")
        .stdin(Stdio::from(pipe_out))
        .stdout(Stdio::piped())
        .spawn();
    let mut sorter = match spawned {
        Ok(sorter) => sorter,
        Err(e) => {
            // printf is already running: reap it before giving up.
            let _ = producer.kill();
            producer.wait()?;
            return Err(format!("cannot start sort: {e}").into());
        }
    };
    let mut sorted = String::new();
    let read = sorter
        .stdout
        .take()
        .expect("stdout is piped")
        .read_to_string(&mut sorted);
    // Wait for both, then check both, like a shell's `set -o pipefail`.
    let sorter_status = sorter.wait();
    let producer_status = producer.wait()?;
    let sorter_status = sorter_status?;
    read?;
    if !producer_status.success() || !sorter_status.success() {
        return Err(format!("pipeline failed: {producer_status}, {sorter_status}").into());
    }
    Ok(sorted)
}

fn main() -> Result<(), Box<dyn Error>> {
    print!(
        "tr printed:\n{}",
        shout("quiet words\nbecome loud\n".to_string())?
    );
    print!("printf | sort printed:\n{}", sorted_words()?);
    Ok(())
}
// ANCHOR_END: pipeline
