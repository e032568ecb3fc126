//! skeptic compiles every program of the expanded book with the workspace's
//! edition (common/skeptic_rustc.rs), and that build is the one the checks
//! run: `<listing>::run` runs the executable skeptic made from the text the
//! reader sees, so each program runs once per test run. `<listing>::skeptic`
//! is the build: it first checks that the text skeptic got is the listing's
//! own `src/main.rs` (less mdBook's anchor lines), then has skeptic compile
//! it. `build.rs` wrote the table of programs.

use std::collections::HashMap;
use std::panic;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex, OnceLock};

use crate::common::schedule::trial;
use libtest_mimic::Trial;

use crate::common::listings::WORKSPACE;
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
                shortened(panic_message(failure.as_ref()))
            )
            .into()
        })
}

fn listing_trials() -> Vec<Trial> {
    generated::SKEPTIC_TESTS
        .iter()
        .map(|&(listing, _)| {
            trial(format!("{listing}::skeptic"), move || {
                let exe = executable(listing)?;
                let listed = WORKSPACE
                    .named(listing)
                    .expect("a listing of the workspace");
                if listed.depends_on_cargos_build() {
                    // Its checked runs use cargo's build: run skeptic's too.
                    runs_to_success(listing, &exe)?;
                }
                Ok(())
            })
            .with_kind("skeptic")
        })
        .collect()
}

/// The executable skeptic built from the book's text of `listing`, or why
/// there is none (the compiler's refusal, or no whole program of it in the
/// book). Built once per test process, by whichever check asks first.
pub fn executable(listing: &str) -> Result<PathBuf, String> {
    type Slot = Arc<OnceLock<Result<PathBuf, String>>>;
    static BUILDS: LazyLock<Mutex<HashMap<String, Slot>>> = LazyLock::new(Default::default);
    let Some(&(_, test)) = generated::SKEPTIC_TESTS.iter().find(|(l, _)| *l == listing) else {
        return Err(format!("the book shows no whole program of {listing}"));
    };
    let slot = BUILDS
        .lock()
        .unwrap()
        .entry(listing.to_owned())
        .or_default()
        .clone();
    slot.get_or_init(|| {
        let started = std::time::Instant::now();
        let result = panic::catch_unwind(test);
        crate::common::run::record_time(&format!("skeptic {listing}"), started.elapsed());
        result
            .map_err(|failure| {
                format!(
                    "skeptic: {}\nto see the compiler's messages: cargo test -- {listing}::skeptic \
                     --nocapture",
                    shortened(panic_message(failure.as_ref()))
                )
            })
            .and_then(|()| {
                BUILT
                    .lock()
                    .unwrap()
                    .remove(listing)
                    .ok_or_else(|| format!("skeptic handed over no executable for {listing}"))
            })
    })
    .clone()
}

/// skeptic's own check of a program: it runs, without arguments, within the
/// time limit, and exits with success.
fn runs_to_success(listing: &str, exe: &std::path::Path) -> Result<(), String> {
    let what = format!("skeptic's build of {listing}");
    let finished = crate::common::run::run_bounded(&what, exe, &[])?;
    if finished.status.success() {
        return Ok(());
    }
    Err(format!(
        "{what}: ended with {}\noutput:\n{}",
        finished.status, finished.output
    ))
}

/// Whether the book shows a whole program of `listing`, which skeptic builds.
pub fn shows_program(listing: &str) -> bool {
    generated::SKEPTIC_TESTS.iter().any(|(l, _)| *l == listing)
}

/// What skeptic handed over, by listing, until [`executable`] takes it.
static BUILT: LazyLock<Mutex<HashMap<String, PathBuf>>> = LazyLock::new(Default::default);

/// Called by the generated test of each program (build.rs points skeptic's
/// `run_test` here): checks the text, then has skeptic compile it and keeps
/// the executable. skeptic keeps it in its binary cache, where it stays
/// after `run_test_with` returns.
fn build_checked(listing: &str, root_dir: &str, out_dir: &str, target_triple: &str, text: &str) {
    if let Err(difference) = is_the_listing_source(listing, text) {
        panic!("{difference}");
    }
    let path = skeptic::rt::run_test_with(root_dir, out_dir, target_triple, text, |exe| {
        exe.to_path_buf()
    });
    let cached = path.parent().and_then(|dir| dir.file_name()) == Some(".skeptic-bin".as_ref());
    if !cached {
        panic!(
            "skeptic built {listing} outside its binary cache ({}): the executable is gone \
             once skeptic returns; is SKEPTIC_NO_BINARY_CACHE set?",
            path.display()
        );
    }
    BUILT.lock().unwrap().insert(listing.to_owned(), path);
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
/// errors are on stderr, which `--nocapture` shows).
fn shortened(message: &str) -> String {
    match message.split_once("Command failed:\n") {
        Some((before, command)) if command.contains("--crate-type=bin") => {
            let rest = command.split_once('\n').map_or("", |(_, rest)| rest);
            format!("{before}the compiler refused the program\n{rest}")
        }
        _ => message.to_owned(),
    }
}
