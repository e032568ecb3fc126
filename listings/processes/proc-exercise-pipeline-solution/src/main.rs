use std::error::Error;
use std::io::Read;
use std::process::{Child, Command, Stdio};

// ANCHOR: start
/// Runs `stages` like a shell pipeline with `set -o pipefail`: each stage's
/// stdout feeds the next one's stdin; returns the last stage's output, or
/// an error naming the first stage that failed.
fn run_pipeline(stages: &[&[&str]]) -> Result<String, Box<dyn Error>> {
    // Check every stage before starting any: no `?` below may leave a
    // started stage behind.
    let stages: Vec<(&str, &[&str])> = stages
        .iter()
        .map(|stage| stage.split_first().map(|(program, args)| (*program, args)))
        .collect::<Option<_>>()
        .ok_or("empty stage")?;
    let mut running: Vec<(&str, Child)> = Vec::new();
    let mut previous_stdout = None;
    let mut start_error = None;
    for (program, args) in stages {
        let stdin = match previous_stdout.take() {
            Some(stdout) => Stdio::from(stdout),
            None => Stdio::null(),
        };
        let spawned = Command::new(program)
            .args(args)
            .stdin(stdin)
            .stdout(Stdio::piped())
            .spawn();
        match spawned {
            Ok(mut child) => {
                previous_stdout = child.stdout.take();
                running.push((program, child));
            }
            Err(e) => {
                start_error = Some(format!("cannot start {program}: {e}"));
                break;
            }
        }
    }
    // ANCHOR_END: start
    // ANCHOR: finish
    // Read the last stage's output to its end (unless starting failed),
    // then wait for every stage, whatever happened.
    let mut output = String::new();
    let read = match (&start_error, previous_stdout) {
        (None, Some(mut last)) => last.read_to_string(&mut output).map(drop),
        _ => Ok(()),
    };
    let abandoned = start_error.is_some();
    let mut first_failure = start_error;
    for (number, (program, mut child)) in running.into_iter().enumerate() {
        if abandoned {
            let _ = child.kill(); // it may wait for a reader that never came
        }
        let failure = match child.wait() {
            Ok(status) if status.success() => None,
            Ok(status) => Some(format!("stage {} ({program}) failed: {status}", number + 1)),
            Err(e) => Some(format!(
                "cannot wait for stage {} ({program}): {e}",
                number + 1
            )),
        };
        first_failure = first_failure.or(failure);
    }
    read?;
    match first_failure {
        Some(failure) => Err(failure.into()),
        None => Ok(output),
    }
}
// ANCHOR_END: finish

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
