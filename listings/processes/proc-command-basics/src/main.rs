// ANCHOR: start
use std::error::Error;
use std::io::ErrorKind;
use std::process::Command;

fn main() -> Result<(), Box<dyn Error>> {
    // spawn() starts the child and returns at once; wait() blocks until it
    // ends. The child inherits our stdout, so its line appears before ours.
    let mut child = Command::new("echo").arg("hello from a child").spawn()?;
    let status = child.wait()?;
    println!("echo ended: {status}");

    // status() is spawn + wait. A non-zero exit is not an Err: the program
    // ran, so the caller must look at the status itself.
    let status = Command::new("sh").args(["-c", "exit 3"]).status()?;
    println!(
        "sh ended: {status}; success: {}, code: {:?}",
        status.success(),
        status.code()
    );
    // ANCHOR_END: start

    // ANCHOR: output
    // output() captures stdout and stderr instead of sharing ours. The child
    // gets one extra variable and starts in another directory; our own
    // environment and working directory do not change.
    let output = Command::new("sh")
        .args([
            "-c",
            r#"echo "$GREETING from $(pwd)"; echo "a warning" >&2"#,
        ])
        .env("GREETING", "hello")
        .current_dir("/")
        .output()?;
    println!("captured stdout: {:?}", String::from_utf8(output.stdout)?);
    println!("captured stderr: {:?}", String::from_utf8(output.stderr)?);
    println!("its status: {}", output.status);
    // ANCHOR_END: output

    // ANCHOR: missing
    // A program that does not exist fails at spawn time, with an io::Error.
    match Command::new("no-such-program").spawn() {
        Err(error) if error.kind() == ErrorKind::NotFound => {
            println!("cannot start no-such-program: {error}");
        }
        Err(error) => return Err(error.into()),
        Ok(mut child) => {
            child.wait()?;
            return Err("no-such-program exists on this machine".into());
        }
    }
    Ok(())
}
// ANCHOR_END: missing
