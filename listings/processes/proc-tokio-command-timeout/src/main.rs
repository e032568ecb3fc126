// ANCHOR: all
use std::error::Error;
use std::time::Duration;

use tokio::process::Command;
use tokio::time::timeout;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    // output() is a future: the task waits, the thread does not.
    let output = Command::new("echo").arg("from a task").output().await?;
    print!("echo printed: {}", String::from_utf8(output.stdout)?);

    // kill_on_drop: if this future is ever dropped (a select!, an abort),
    // dropping the Child kills the process too.
    let mut child = Command::new("sleep").arg("10").kill_on_drop(true).spawn()?;
    let limit = Duration::from_millis(200);
    match timeout(limit, child.wait()).await {
        Ok(status) => return Err(format!("sleep ended on its own: {}", status?).into()),
        Err(_elapsed) => {
            child.kill().await?; // SIGKILL, then wait for it: reaped
            println!("sleep 10: timed out after {limit:?}, killed");
        }
    }
    Ok(())
}
// ANCHOR_END: all
