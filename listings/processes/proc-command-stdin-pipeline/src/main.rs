// ANCHOR: shout
use std::error::Error;
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::thread;

/// `communicate(input)` with every error kept: `tr` turns text upper case.
fn shout(text: String) -> Result<String, Box<dyn Error>> {
    let mut tr = Command::new("tr")
        .args(["a-z", "A-Z"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut stdin = tr.stdin.take().expect("stdin is piped");
    // Keep the handle this time: the write's result comes back through it.
    let writer = thread::spawn(move || stdin.write_all(text.as_bytes()));
    // Reads to the end, then reaps tr. No `?` comes before it, so no early
    // return can leave tr behind.
    let output = tr.wait_with_output();
    let written = writer.join().map_err(|_| "the writer thread panicked")?;
    let output = output?;
    // tr's own failure first: when tr dies early, the writer's BrokenPipe
    // is only a consequence of it.
    if !output.status.success() {
        return Err(format!("tr failed: {}", output.status).into());
    }
    written?;
    Ok(String::from_utf8(output.stdout)?)
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
