use std::error::Error;
use std::io::Read;
use std::process::{Child, Command, Stdio};

// ANCHOR: all
/// Runs `stages` like a shell pipeline with `set -o pipefail`: each stage's
/// stdout feeds the next one's stdin; returns the last stage's output, or
/// an error naming the first stage that failed.
fn run_pipeline(stages: &[&[&str]]) -> Result<String, Box<dyn Error>> {
    let mut running: Vec<(&str, Child)> = Vec::new();
    let mut previous_stdout = None;
    for stage in stages {
        let (program, args) = stage.split_first().ok_or("empty stage")?;
        let stdin = match previous_stdout.take() {
            Some(stdout) => Stdio::from(stdout),
            None => Stdio::null(),
        };
        let spawned = Command::new(program)
            .args(args)
            .stdin(stdin)
            .stdout(Stdio::piped())
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(e) => {
                // Reap the stages already started before giving up.
                for (_, mut started) in running {
                    let _ = started.kill();
                    let _ = started.wait();
                }
                return Err(format!("cannot start {program}: {e}").into());
            }
        };
        previous_stdout = child.stdout.take();
        running.push((program, child));
    }
    // Read the last stage's output to its end, then wait for every stage.
    let mut output = String::new();
    let read = match previous_stdout {
        Some(mut last) => last.read_to_string(&mut output).map(drop),
        None => Ok(()),
    };
    let mut first_failure = None;
    for (number, (program, mut child)) in running.into_iter().enumerate() {
        let status = child.wait()?;
        if !status.success() && first_failure.is_none() {
            first_failure = Some(format!("stage {} ({program}) failed: {status}", number + 1));
        }
    }
    read?;
    match first_failure {
        Some(failure) => Err(failure.into()),
        None => Ok(output),
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let words: &[&str] = &["printf", "%s\n", "pear", "apple", "pear", "fig"];
    let sorted = run_pipeline(&[words, &["sort"], &["uniq"]]);
    println!("printf | sort | uniq: {sorted:?}");
    let failing = run_pipeline(&[&["sh", "-c", "echo partial; exit 3"], &["sort"]]);
    println!("sh (exit 3) | sort: {failing:?}");

    let sorted_ok = sorted.is_ok_and(|text| text == "apple\nfig\npear\n");
    if !sorted_ok || failing.is_ok() {
        return Err("a pipeline did not give the expected result".into());
    }
    Ok(())
}
// ANCHOR_END: all
