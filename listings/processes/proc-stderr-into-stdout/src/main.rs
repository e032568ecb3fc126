// ANCHOR: all
use std::error::Error;
use std::io::{self, Read};
use std::process::Command;

fn main() -> Result<(), Box<dyn Error>> {
    // One pipe, and its write end given twice: as stdout and as stderr.
    let (mut reader, writer) = io::pipe()?;
    let mut command = Command::new("sh");
    command
        .args(["-c", "echo to stdout; echo to stderr >&2"])
        .stdout(writer.try_clone()?)
        .stderr(writer);
    let mut child = command.spawn()?;
    // The Command still holds both write ends, ready for another spawn.
    // While it lives, the pipe has a writer in this process and never
    // ends: read_to_string would wait for ever.
    drop(command);
    let mut both = String::new();
    let read = reader.read_to_string(&mut both);
    let status = child.wait()?; // reap sh even if reading failed
    read?;
    print!("{both}");
    println!("sh ended: {status}");
    Ok(())
}
// ANCHOR_END: all
