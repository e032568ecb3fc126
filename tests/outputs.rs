//! Every listing runs to completion within the time limit, and what the book
//! shows of its output is what it prints.
//!
//! `BLESS=1 cargo test` rewrites the shown outputs from real runs instead.

mod common;

use std::fs;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::listings::{BUILT, Check, Listing, RunSpec, WORKSPACE};
use common::run::run_bounded;
use common::{Problems, blessing_listing, diff, root};
use regex::Regex;

#[test]
fn every_listing_prints_what_the_book_shows() {
    let listings = &WORKSPACE.listings;
    let built = &*BUILT;
    let problems = Mutex::new(Problems::default());
    let report = Mutex::new(Vec::new());
    let next = AtomicUsize::new(0);
    // Two at a time: the machine this book is tested on has two cores.
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                while let Some(listing) = listings.get(next.fetch_add(1, Ordering::Relaxed)) {
                    for (number, spec) in listing.runs().iter().enumerate() {
                        let what = format!("listing {} (run {})", listing.name, number + 1);
                        let exe = built.executable(listing);
                        match check_run(&what, listing, exe, spec) {
                            Ok(line) => report.lock().unwrap().push(line),
                            Err(problem) => problems.lock().unwrap().add(problem),
                        }
                    }
                }
            });
        }
    });
    let mut report = report.into_inner().unwrap();
    report.sort();
    eprintln!("{}", report.join("\n"));
    problems.into_inner().unwrap().check("the listings' runs");
}

fn check_run(what: &str, listing: &Listing, exe: &Path, spec: &RunSpec) -> Result<String, String> {
    let run = run_bounded(what, exe, &spec.args)?;
    let code = run.status.code();
    if code != Some(spec.status) {
        return Err(format!(
            "{what}: ended with {} but the book expects exit code {}\noutput:\n{}",
            run.status, spec.status, run.output
        ));
    }
    if let Some(file) = &spec.output {
        compare_output(
            what,
            &root().join(file),
            spec.check,
            &run.output,
            blessing_listing(&listing.name),
        )?;
    }
    Ok(format!(
        "{:>6} ms  {} {}",
        run.elapsed.as_millis(),
        listing.name,
        spec.args.join(" ")
    ))
}

fn compare_output(
    what: &str,
    file: &Path,
    check: Check,
    actual: &str,
    bless: bool,
) -> Result<(), String> {
    let relative = common::relative(file);
    let shown_in: Vec<String> = common::book::BLOCKS
        .iter()
        .filter(|b| b.includes().iter().any(|i| i.path == relative))
        .map(|b| b.location())
        .collect();
    let shown_name = if shown_in.is_empty() {
        relative.display().to_string()
    } else {
        format!("{} (shown in {})", relative.display(), shown_in.join(", "))
    };
    if bless {
        fs::write(file, actual).map_err(|e| format!("{what}: cannot write {shown_name}: {e}"))?;
    }
    let shown = fs::read_to_string(file).map_err(|e| {
        format!("{what}: cannot read {shown_name} (BLESS=1 cargo test writes it): {e}")
    })?;
    match check {
        Check::Exact => {
            if shown != actual {
                return Err(format!(
                    "{what}: output differs from {shown_name}\n{}",
                    diff(&shown, actual)
                ));
            }
        }
        Check::AnyOrder => {
            let sorted = |text: &str| {
                let mut lines: Vec<&str> = text.lines().collect();
                lines.sort_unstable();
                lines.join("\n") + "\n"
            };
            if sorted(&shown) != sorted(actual) {
                return Err(format!(
                    "{what}: output has other lines than {shown_name} (order is not checked; \
                     the lines are compared sorted)\n{}",
                    diff(&sorted(&shown), &sorted(actual))
                ));
            }
        }
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
                        common::relative(&pattern_file).display()
                    )
                })?;
            }
        }
    }
    Ok(())
}

/// Line n of the text must match the regular expression on line n, whole.
fn matches_patterns(patterns: &str, text: &str) -> Result<(), String> {
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

/// A `.py` file beside a listing is the Python guide's original of it: both
/// must print the same thing.
#[test]
fn python_originals_print_what_their_rust_listings_print() {
    let Some(python) = common::python3() else {
        eprintln!("skipped: no python3 on this machine, so the Python originals were not run");
        return;
    };
    let mut problems = Problems::default();
    let mut pairs = Vec::new();
    for listing in &WORKSPACE.listings {
        for entry in fs::read_dir(root().join(&listing.dir)).unwrap().flatten() {
            if entry.path().extension().is_some_and(|e| e == "py") {
                pairs.push((listing, entry.path()));
            }
        }
    }
    assert!(!pairs.is_empty(), "no Python original beside any listing");
    let results: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = pairs
            .iter()
            .map(|(listing, script)| {
                scope.spawn(move || {
                    let what = format!(
                        "{} (the Python original of {})",
                        common::relative(script).display(),
                        listing.name
                    );
                    let run = run_bounded(&what, python, &[script.display().to_string()]);
                    (what, listing, run)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (what, listing, run) in results {
        let run = match run {
            Ok(run) => run,
            Err(problem) => {
                problems.add(problem);
                continue;
            }
        };
        let rust_output = root().join(&listing.dir).join("output.txt");
        match fs::read_to_string(&rust_output) {
            Ok(shown) if shown == run.output => {}
            Ok(shown) => problems.add(format!(
                "{what} prints something else than the Rust listing\n{}",
                diff(&shown, &run.output)
            )),
            Err(e) => problems.add(format!(
                "{what}: cannot read {}: {e}",
                rust_output.display()
            )),
        }
    }
    problems.check("the Python originals");
}

/// A listing that reads its command line shows what it does with a bad
/// argument: a run that ends with a non-zero status and prints one line, not
/// a panic. (The run itself is checked by the test above, like any other.)
#[test]
fn listings_that_take_arguments_reject_bad_ones_in_one_line() {
    let mut problems = Problems::default();
    for listing in &WORKSPACE.listings {
        let source = fs::read_to_string(root().join(&listing.dir).join("src/main.rs")).unwrap();
        if !(source.contains("env::args") || source.contains("args_os")) {
            continue;
        }
        let refusals: Vec<RunSpec> = listing
            .runs()
            .into_iter()
            .filter(|run| run.status != 0 && !run.args.is_empty())
            .collect();
        if refusals.is_empty() {
            problems.add(format!(
                "listing {} reads its arguments but no run shows a bad one refused \
                 ([[package.metadata.book.runs]] with args and a non-zero status)",
                listing.name
            ));
        }
        for run in refusals {
            let Some(file) = &run.output else {
                problems.add(format!(
                    "listing {}: the run with {:?} shows no output",
                    listing.name, run.args
                ));
                continue;
            };
            let shown = fs::read_to_string(root().join(file)).unwrap_or_default();
            if shown.lines().count() != 1 || shown.contains("panicked") {
                problems.add(format!(
                    "listing {}: given {:?} it should print one line of error, not:\n{shown}",
                    listing.name, run.args
                ));
            }
        }
    }
    problems.check("the listings' handling of bad arguments");
}

/// `cargo test` prints no warning from a listing: the compiler has nothing to
/// say about any program the book shows.
#[test]
fn listings_compile_without_warnings() {
    let warnings = &BUILT.warnings;
    assert!(
        warnings.is_empty(),
        "{} compiler warning(s) in the listings:\n{}",
        warnings.len(),
        warnings.join("\n")
    );
}
