// ANCHOR: all
use std::process::Command;
use std::time::{Duration, Instant};

/// Should be `subprocess.run(args, check=True, timeout=limit)`: an `Err`
/// naming the command if it fails or runs longer than `limit`.
fn run_checked(args: &[&str], _limit: Duration) -> Result<(), String> {
    // Not finished: the exit status is ignored, and so is `_limit`.
    Command::new(args[0])
        .args(&args[1..])
        .status()
        .map_err(|error| format!("cannot start {}: {error}", args[0]))?;
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
    verdict(&results, started.elapsed());
}

/// Only `true` should succeed, and the whole run should take well under
/// the one second that `sleep 1` would need.
fn verdict(results: &[bool], took: Duration) {
    let checked = results == [true, false, false];
    let in_time = took < Duration::from_millis(900);
    if checked && in_time {
        println!("done: only true succeeded, and sleep was stopped at its limit");
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
    }
}
