//! Every `compile_fail` block fails to compile with exactly the error codes
//! its info string names (`rust,compile_fail,E0373`; none for errors that
//! rustc gives no code), and the compiler message the book shows under it is
//! rustc's real output.
//!
//! skeptic never sees these blocks (build.rs keeps them out). Each is compiled
//! here with rustc, with the same crates the listings get, from its listing
//! directory, so the message shows `src/main.rs` as `cargo build` would, and
//! is shown as `cargo build` (the caption's command) shows it: cargo's last
//! line in place of rustc's "aborting due to".
//! One test per sample, `<listing>::compile-fail`.
//! `BLESS=<listing> cargo test -- <listing>` rewrites a shown message.

use std::collections::BTreeSet;
use std::process::Command;

use crate::common::schedule::trial;
use libtest_mimic::Trial;
use serde_json::Value;

use crate::common::book::{BLOCKS, Block};
use crate::common::listings::{WORKSPACE, built};
use crate::common::snapshot;
use crate::common::{Outcome, root};

pub fn trials() -> Vec<Trial> {
    let mut trials: Vec<Trial> = BLOCKS
        .iter()
        .enumerate()
        .filter(|(_, b)| b.is_compile_fail())
        .map(|(index, block)| {
            let name = block
                .listing_dir()
                .map(|dir| dir.file_name().unwrap().to_string_lossy().into_owned())
                .unwrap_or_else(|| block.location());
            trial(format!("{name}::compile-fail"), move || {
                check_sample(&BLOCKS[index])
            })
            .with_kind("compile_fail")
        })
        .collect();
    if trials.is_empty() {
        trials.push(trial("compile-fail-samples-exist", || {
            Err("the book has no compile_fail block: this check checks nothing".into())
        }));
    }
    trials
}

fn check_sample(block: &Block) -> Outcome {
    let built = built()?;
    {
        let where_ = block.location();
        // A block that names no code must fail with errors that have none
        // (rustc gives some errors no code, such as "future cannot be sent
        // between threads safely"); its shown message is still checked whole.
        let expected: BTreeSet<&str> = block.error_codes().into_iter().collect();
        let Some(dir) = block.listing_dir() else {
            return Err(format!(
                "{where_}: a compile_fail block must include a listing's src/main.rs"
            )
            .into());
        };
        let what = format!("{where_}, listing {}", dir.display());
        let out = tempfile::tempdir().unwrap();
        let mut rustc = Command::new(crate::common::skeptic_rustc::real_rustc());
        rustc
            .current_dir(root().join(&dir))
            .args([
                "src/main.rs",
                "--edition=2024",
                "--crate-type=bin",
                "--error-format=json",
            ])
            .arg("--crate-name=sample")
            .arg("--emit=metadata")
            .arg("--out-dir")
            .arg(out.path())
            .arg("-L")
            .arg(format!("dependency={}", built.deps_dir.display()));
        // The crates skeptic hands to every other block: the root package's.
        for name in provided_crates() {
            if let Some(rlib) = built.libraries.get(&name) {
                rustc
                    .arg("--extern")
                    .arg(format!("{name}={}", rlib.display()));
            }
        }
        let output = rustc.output().expect("cannot run rustc");
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let diagnostics: Vec<Value> = String::from_utf8_lossy(&output.stderr)
            .lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect();
        let codes: BTreeSet<String> = diagnostics
            .iter()
            .filter(|d| d["level"] == "error")
            .filter_map(|d| d["code"]["code"].as_str().map(str::to_owned))
            .collect();
        let rendered = as_cargo_prints(&name, &diagnostics);
        // A note may quote a dependency's source, under the cargo home of
        // whoever ran the test: show that prefix as ~/.cargo on every machine.
        let rendered = rendered.replace(&format!("{}/", cargo_home()), "~/.cargo/");
        if output.status.success() {
            return Err(format!(
                "{what}: compiles, but the book says it does not ({})",
                block.info
            )
            .into());
        }
        let codes: BTreeSet<&str> = codes.iter().map(String::as_str).collect();
        if codes != expected {
            return Err(format!(
                "{what}: fails with {codes:?}, but the book names {expected:?}\n{rendered}"
            )
            .into());
        }
        let shown_file = root().join(&dir).join("output.txt");
        snapshot::matches(
            &format!("{what}: the compiler message"),
            &name,
            &shown_file,
            &rendered,
        )
        .map_err(Into::into)
    }
}

/// rustc's messages as `cargo build` shows them, the command the caption
/// gives: rustc's rendering of each diagnostic, less its closing "aborting
/// due to N previous errors", which cargo replaces with its own last line.
fn as_cargo_prints(package: &str, diagnostics: &[Value]) -> String {
    let aborting = |d: &Value| {
        d["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("aborting due to"))
    };
    let count = |level: &str| {
        diagnostics
            .iter()
            .filter(|d| d["level"] == level && !aborting(d))
            .count()
    };
    let mut shown = String::new();
    for d in diagnostics.iter().filter(|d| !aborting(d)) {
        shown.push_str(d["rendered"].as_str().unwrap_or_default());
    }
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let errors = count("error");
    let warnings = count("warning");
    let mut last = format!(
        "error: could not compile `{package}` (bin \"{package}\") due to {}",
        plural(errors, "previous error")
    );
    if warnings > 0 {
        last.push_str(&format!("; {} emitted", plural(warnings, "warning")));
    }
    shown.push_str(&last);
    shown.push('\n');
    shown
}

/// The library names of the root package's dependencies (`tokio`, `nix`...).
fn provided_crates() -> Vec<String> {
    let root_package = WORKSPACE.metadata.root_package().expect("no root package");
    root_package
        .dependencies
        .iter()
        .map(|d| {
            d.rename
                .clone()
                .unwrap_or_else(|| d.name.clone())
                .replace('-', "_")
        })
        .collect()
}

fn cargo_home() -> String {
    std::env::var("CARGO_HOME")
        .unwrap_or_else(|_| format!("{}/.cargo", std::env::var("HOME").unwrap_or_default()))
}

pub mod unit_tests {
    use super::as_cargo_prints;
    use serde_json::json;

    pub const ALL: &[(&str, fn())] = &[
        (
            "cargos-last-line-replaces-rustcs",
            cargos_last_line_replaces_rustcs,
        ),
        ("warnings-are-counted", warnings_are_counted),
    ];

    fn diagnostic(level: &str, message: &str, rendered: &str) -> serde_json::Value {
        json!({ "level": level, "message": message, "rendered": rendered })
    }

    fn cargos_last_line_replaces_rustcs() {
        let diagnostics = [
            diagnostic("error", "call to unsafe function", "error[E0133]: call\n\n"),
            diagnostic(
                "error",
                "aborting due to 1 previous error",
                "error: aborting due to 1 previous error\n\n",
            ),
            diagnostic(
                "failure-note",
                "For more information about this error, try `rustc --explain E0133`.",
                "For more information about this error, try `rustc --explain E0133`.\n",
            ),
        ];
        assert_eq!(
            as_cargo_prints("demo", &diagnostics),
            "error[E0133]: call\n\n\
             For more information about this error, try `rustc --explain E0133`.\n\
             error: could not compile `demo` (bin \"demo\") due to 1 previous error\n"
        );
    }

    fn warnings_are_counted() {
        let diagnostics = [
            diagnostic("warning", "unused variable", "warning: unused\n\n"),
            diagnostic("error", "first", "error: first\n\n"),
            diagnostic("error", "second", "error: second\n\n"),
            diagnostic(
                "error",
                "aborting due to 2 previous errors; 1 warning emitted",
                "error: aborting due to 2 previous errors; 1 warning emitted\n\n",
            ),
        ];
        assert!(as_cargo_prints("demo", &diagnostics).ends_with(
            "error: could not compile `demo` (bin \"demo\") due to 2 previous errors; \
             1 warning emitted\n"
        ));
    }
}
