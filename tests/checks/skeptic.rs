//! skeptic compiles and runs every program of the expanded book, each under a
//! time limit, with the workspace's edition (common/skeptic_rustc.rs). One
//! test per program, `<listing>::skeptic`; `build.rs` wrote the table of them.
//! Each first checks that the text skeptic got is the listing's own
//! `src/main.rs` (less mdBook's anchor lines): what skeptic runs is the
//! program cargo builds for `<listing>::run`.

use std::panic;
use std::sync::atomic::Ordering;

use crate::common::schedule::trial;
use libtest_mimic::Trial;

use crate::common::listings::WORKSPACE;
use crate::common::run::TIME_LIMIT;
use crate::common::watchdog;
use crate::common::{Outcome, panic_message};

#[allow(clippy::all)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/skeptic-table.rs"));
}

pub fn trials() -> Vec<Trial> {
    let mut trials = vec![
        trial(
            "skeptic::compiles-with-the-workspace-edition",
            compiles_with_the_workspace_edition,
        )
        .with_kind("skeptic"),
    ];
    trials.extend(listing_trials());
    trials
}

/// A program that only edition 2024 accepts (a `let` chain; earlier editions
/// refuse it with E0658), which skeptic must compile and run.
const EDITION_2024_ONLY: &str = "fn main() {
    let found = Some(3);
    if let Some(n) = found && n > 2 {
        return;
    }
    std::process::exit(1);
}
";

/// skeptic compiles with the workspace's edition: it accepts a program that
/// only that edition accepts.
fn compiles_with_the_workspace_edition() -> Outcome {
    let edition = crate::common::listings::workspace_edition();
    if edition != "2024" {
        return Err(format!(
            "the workspace is edition {edition}: give this check a program only that edition \
             accepts"
        )
        .into());
    }
    let (root_dir, out_dir, triple) = generated::SKEPTIC_CONTEXT;
    panic::catch_unwind(|| skeptic::rt::run_test(root_dir, out_dir, triple, EDITION_2024_ONLY))
        .map_err(|failure| {
            format!(
                "skeptic did not compile a program only edition {edition} accepts: it compiles \
                 the book's programs with another edition than the reader's \
                 (common/skeptic_rustc.rs):\n{}",
                panic_message(failure.as_ref())
            )
            .into()
        })
}

fn listing_trials() -> Vec<Trial> {
    generated::SKEPTIC_TESTS
        .iter()
        .map(|&(listing, test)| {
            trial(format!("{listing}::skeptic"), move || {
                let started = std::time::Instant::now();
                let result = panic::catch_unwind(test);
                crate::common::run::record_time(&format!("skeptic {listing}"), started.elapsed());
                result.map_err(|failure| {
                    format!(
                        "skeptic: {}\nskeptic runs the program as the book shows it; to see \
                         what it printed: cargo test -- {listing}::skeptic --nocapture",
                        shortened(panic_message(failure.as_ref()))
                    )
                    .into()
                })
            })
            .with_kind("skeptic")
        })
        .collect()
}

/// skeptic's `run_test`, with a watchdog that kills a snippet (and everything
/// it started) once it has run longer than the limit, so a listing that hangs
/// fails its test instead of stalling `cargo test`.
///
/// One failure is retried: "Text file busy". skeptic copies each compiled
/// snippet into its binary cache through a file it holds open for writing; a
/// process that another test forks at that moment inherits that descriptor
/// until it execs, and executing the snippet meanwhile fails with ETXTBSY.
/// That says nothing about the snippet, and the next attempt runs it.
fn run_bounded(listing: &str, root_dir: &str, out_dir: &str, target_triple: &str, text: &str) {
    if let Err(difference) = is_the_listing_source(listing, text) {
        panic!("{difference}");
    }
    watchdog::start_for_children();
    let kills_before = watchdog::KILLS.load(Ordering::SeqCst);
    let mut attempts = 0;
    loop {
        attempts += 1;
        let run = panic::catch_unwind(|| {
            skeptic::rt::run_test(root_dir, out_dir, target_triple, text);
        });
        let Err(failure) = run else { return };
        let message = panic_message(failure.as_ref());
        if attempts < 3 && message.contains("Text file busy") {
            std::thread::sleep(std::time::Duration::from_millis(50));
            continue;
        }
        if watchdog::KILLS.load(Ordering::SeqCst) > kills_before {
            let killed = watchdog::KILLED.lock().unwrap().join("\n");
            panic!(
                "{message}\nthe watchdog killed a snippet that ran longer than {} s while this \
                 test ran:\n{killed}",
                TIME_LIMIT.as_secs()
            );
        }
        panic::resume_unwind(failure);
    }
}

/// The program skeptic got (the block with its hidden lines shown, after a
/// newline skeptic adds) is the listing's `src/main.rs` less the lines that
/// hold mdBook's `ANCHOR:` and `ANCHOR_END:` markers.
fn is_the_listing_source(listing: &str, text: &str) -> Result<(), String> {
    let Some(found) = WORKSPACE.named(listing) else {
        return Err(format!(
            "skeptic was given a program of no listing ({listing})"
        ));
    };
    let file = found.dir.join("src/main.rs");
    let source = std::fs::read_to_string(crate::common::root().join(&file))
        .map_err(|e| format!("{}: {e}", file.display()))?;
    let expected = crate::common::includes::without_anchor_lines(&source);
    let given = text.strip_prefix('\n').unwrap_or(text);
    if given.trim_end() == expected.trim_end() {
        return Ok(());
    }
    Err(format!(
        "skeptic was given another program than {}:\n{}",
        file.display(),
        crate::common::diff_between(&expected, given, "the listing", "what skeptic got")
    ))
}

/// skeptic's failure names the whole compiler command, a few hundred
/// `--extern` arguments long: say instead that the compiler refused it (its
/// errors are on stderr, which `--nocapture` shows, and the listing's
/// `::run` test shows the same errors from cargo's build).
fn shortened(message: &str) -> String {
    match message.split_once("Command failed:\n") {
        Some((before, command)) if command.contains("--crate-type=bin") => {
            let rest = command.split_once('\n').map_or("", |(_, rest)| rest);
            format!("{before}the compiler refused the program\n{rest}")
        }
        _ => message.to_owned(),
    }
}
