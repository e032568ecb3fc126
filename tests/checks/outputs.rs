//! Every run of every listing ends within the time limit with the status the
//! book expects, prints what the book shows, and leaves nothing behind; and
//! a listing that reads its arguments shows a bad one refused in one line.
//!
//! One test per run, named `<listing>::run` (or `<listing>::run <args>`).
//! `BLESS=<listing> cargo test -- <listing>` rewrites what the book shows of
//! a listing from a real run.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex, OnceLock};

use crate::common::schedule::trial;
use libtest_mimic::Trial;
use regex::Regex;

use crate::checks::skeptic;
use crate::common::listings::{Check, Listing, Run, WORKSPACE, built};
use crate::common::run::{Finished, run_bounded};
use crate::common::snapshot;
use crate::common::{Outcome, diff, root};

pub fn trials() -> Vec<Trial> {
    let mut trials = Vec::new();
    for listing in WORKSPACE.members() {
        for run in &listing.runs {
            let name = if run.args.is_empty() {
                format!("{}::run", listing.name)
            } else {
                format!("{}::run {}", listing.name, run.args.join(" "))
            };
            let (listing_name, number) = (listing.name.clone(), run.number);
            trials.push(
                trial(name, move || check_run(named(&listing_name), number)).with_kind("output"),
            );
        }
        if reads_arguments(listing) {
            let listing_name = listing.name.clone();
            trials.push(
                trial(
                    format!("{}::refuses-bad-arguments", listing.name),
                    move || refuses_bad_arguments(named(&listing_name)),
                )
                .with_kind("output"),
            );
        }
    }
    trials.push(trial("listings-compile-without-warnings", || {
        let warnings = &built()?.warnings;
        if warnings.is_empty() {
            return Ok(());
        }
        Err(format!(
            "{} compiler warning(s) in the listings:\n{}",
            warnings.len(),
            warnings.join("\n")
        )
        .into())
    }));
    trials
}

pub fn named(name: &str) -> &'static Listing {
    WORKSPACE.named(name).expect("a listing of the workspace")
}

/// The finished run `number` of a listing. Each run happens once per test
/// process, whichever check needs it first (the Python originals compare
/// with the Rust run too).
pub fn finished_run(listing: &Listing, number: usize) -> Result<Finished, String> {
    type Slot = Arc<OnceLock<Result<Finished, String>>>;
    static RUNS: LazyLock<Mutex<HashMap<(String, usize), Slot>>> = LazyLock::new(Default::default);
    let slot = RUNS
        .lock()
        .unwrap()
        .entry((listing.name.clone(), number))
        .or_default()
        .clone();
    slot.get_or_init(|| {
        let run = &listing.runs[number - 1];
        run_bounded(&describe(listing, run), &executable(listing)?, &run.args)
    })
    .clone()
}

/// The program to run: skeptic's build of the text the book shows when the
/// book shows the whole program (so what is checked is what the reader
/// reads), cargo's build otherwise or when the output names the build
/// ([`Listing::depends_on_cargos_build`]).
fn executable(listing: &Listing) -> Result<PathBuf, String> {
    if !listing.is_run_from_cargos_build() {
        return skeptic::executable(&listing.name);
    }
    Ok(built()?.executable(&listing.name)?.to_path_buf())
}

fn describe(listing: &Listing, run: &Run) -> String {
    if run.args.is_empty() {
        format!("listing {}", listing.name)
    } else {
        format!("listing {} (run with {:?})", listing.name, run.args)
    }
}

fn check_run(listing: &Listing, number: usize) -> Outcome {
    let run = &listing.runs[number - 1];
    let what = describe(listing, run);
    let finished = finished_run(listing, number)?;
    if finished.status.code() != Some(run.status) {
        return Err(format!(
            "{what}: ended with {} but the book expects exit code {}\noutput:\n{}",
            finished.status, run.status, finished.output
        )
        .into());
    }
    let Some(file) = &run.output else {
        return Ok(());
    };
    compare_output(
        &what,
        listing,
        &root().join(file),
        run.check,
        &finished.output,
    )
    .map_err(|problem| {
        format!(
            "{problem}\nTo show this run's output instead: {}",
            snapshot::bless_command(&listing.name)
        )
        .into()
    })
}

fn compare_output(
    what: &str,
    listing: &Listing,
    file: &Path,
    check: Check,
    actual: &str,
) -> Result<(), String> {
    let shown_name = format!(
        "{} (shown in {})",
        crate::common::relative(file).display(),
        shown_where(file).unwrap_or_else(|| listing.shown_where())
    );
    snapshot::bless_if_asked(&listing.name, file, actual)?;
    let shown =
        fs::read_to_string(file).map_err(|e| format!("{what}: cannot read {shown_name}: {e}"))?;
    match check {
        Check::Exact if shown != actual => Err(format!(
            "{what}: output differs from {shown_name}\n{}",
            diff(&shown, actual)
        )),
        Check::AnyOrder if sorted_lines(&shown) != sorted_lines(actual) => Err(format!(
            "{what}: output has other lines than {shown_name} (order is not checked; \
             the lines are compared sorted)\n{}",
            diff(&sorted_lines(&shown), &sorted_lines(actual))
        )),
        Check::Pattern => {
            let pattern_file = file.with_extension("pattern");
            let patterns = fs::read_to_string(&pattern_file).map_err(|e| {
                format!(
                    "{what}: check = \"pattern\" needs {}: {e}",
                    pattern_file.display()
                )
            })?;
            for (name, text) in [
                (shown_name.as_str(), shown.as_str()),
                ("the run's output", actual),
            ] {
                matches_patterns(&patterns, text).map_err(|e| {
                    format!(
                        "{what}: {name} does not match {}: {e}\n{text}",
                        crate::common::relative(&pattern_file).display()
                    )
                })?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The blocks that include the output file `file`, if any does.
fn shown_where(file: &Path) -> Option<String> {
    let file = crate::common::relative(file);
    let places: Vec<String> = crate::common::book::BLOCKS
        .iter()
        .filter(|b| b.includes().iter().any(|i| i.path == file))
        .map(|b| b.location())
        .collect();
    (!places.is_empty()).then(|| places.join(", "))
}

pub fn sorted_lines(text: &str) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    lines.sort_unstable();
    lines.join("\n") + "\n"
}

/// Line n of the text must match the regular expression on line n, whole.
pub fn matches_patterns(patterns: &str, text: &str) -> Result<(), String> {
    let patterns: Vec<&str> = patterns.lines().collect();
    let lines: Vec<&str> = text.lines().collect();
    if patterns.len() != lines.len() {
        return Err(format!(
            "{} lines, but {} patterns",
            lines.len(),
            patterns.len()
        ));
    }
    for (number, (pattern, line)) in patterns.iter().zip(&lines).enumerate() {
        let regex = Regex::new(&format!("^(?:{pattern})$"))
            .map_err(|e| format!("pattern {} is not a regular expression: {e}", number + 1))?;
        if !regex.is_match(line) {
            return Err(format!(
                "line {} {line:?} does not match {pattern:?}",
                number + 1
            ));
        }
    }
    Ok(())
}

fn reads_arguments(listing: &Listing) -> bool {
    let source =
        fs::read_to_string(root().join(&listing.dir).join("src/main.rs")).unwrap_or_default();
    source.contains("env::args") || source.contains("args_os")
}

/// A listing that reads its command line shows what it does with a bad
/// argument: a run that ends with a non-zero status and prints one line, not
/// a panic. (The run itself is checked like any other.)
fn refuses_bad_arguments(listing: &Listing) -> Outcome {
    let refusals: Vec<&Run> = listing
        .runs
        .iter()
        .filter(|run| run.status != 0 && !run.args.is_empty())
        .collect();
    if refusals.is_empty() {
        return Err(format!(
            "listing {} reads its arguments but no run shows a bad one refused \
             ([[package.metadata.book.runs]] with args and a non-zero status)",
            listing.name
        )
        .into());
    }
    for run in refusals {
        let Some(file) = &run.output else {
            return Err(format!(
                "listing {}: the run with {:?} shows no output",
                listing.name, run.args
            )
            .into());
        };
        let shown = fs::read_to_string(root().join(file)).unwrap_or_default();
        if shown.lines().count() != 1 || shown.contains("panicked") {
            return Err(format!(
                "listing {}: given {:?} it should print one line of error, not:\n{shown}",
                listing.name, run.args
            )
            .into());
        }
    }
    Ok(())
}
