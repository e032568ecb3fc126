// ANCHOR: all
use std::process::Command;
use std::time::{Duration, Instant};

use wait_timeout::ChildExt;

/// `subprocess.run(args, check=True, timeout=limit)`: an `Err` naming the
/// command if it fails or runs longer than `limit`.
fn run_checked(args: &[&str], limit: Duration) -> Result<(), String> {
    let name = args.join(" ");
    let mut child = Command::new(args[0])
        .args(&args[1..])
        .spawn()
        .map_err(|error| format!("cannot start {name}: {error}"))?;
    let waited = child.wait_timeout(limit);
    let Ok(Some(status)) = waited else {
        // Too late, or waiting failed: kill the child, then reap it.
        let _ = child.kill();
        let _ = child.wait();
        return Err(match waited {
            Err(error) => format!("{name}: waiting failed: {error}"),
            Ok(_) => format!("{name}: timed out after {limit:?}, killed"),
        });
    };
    if !status.success() {
        return Err(format!("{name}: {status}")); // check=True
    }
    Ok(())
}

fn main() {
    let limit = Duration::from_millis(300);
    let started = Instant::now();
    let mut results = Vec::new();
    for args in [&["true"][..], &["sh", "-c", "exit 3"], &["sleep", "1"]] {
        let result = run_checked(args, limit);
        println!("{}: {result:?}", args.join(" "));
        results.push(result.is_ok());
    }
    // ANCHOR_END: all
    let code = verdict(&results, started.elapsed());
    std::process::exit(code);
}

/// Only `true` should succeed, and the whole run should take well under
/// the one second that `sleep 1` would need.
fn verdict(results: &[bool], took: Duration) -> i32 {
    let checked = results == [true, false, false];
    let in_time = took < Duration::from_millis(900);
    if checked && in_time {
        println!("done: only true succeeded, and sleep was stopped at its limit");
        0
    } else {
        println!(
            "not finished: {} succeeded{}",
            results.iter().filter(|&&ok| ok).count(),
            if in_time {
                ""
            } else {
                ", and sleep ran past its limit"
            }
        );
        1
    }
}
