//! Files the book shows that a program writes (an output, a compiler message,
//! a chart, the listings index): compared with what the program writes now,
//! or rewritten from it under `BLESS`.
//!
//! `BLESS` has one meaning: the names of what to rewrite, separated by
//! commas, each a listing (`BLESS=threads-rayon`) or a book-wide file
//! (`BLESS=appendix`, `BLESS=benchmark`, and `BLESS=figures` for the prose's
//! figures that quote a results file or a constant); `BLESS=1` rewrites
//! everything.

use std::fs;
use std::path::Path;

use super::{diff, relative};

/// Whether `BLESS` asks to rewrite what `name` shows.
pub fn blessing(name: &str) -> bool {
    names(std::env::var("BLESS").ok().as_deref(), name)
}

/// Whether a value of `BLESS` names `name`.
fn names(bless: Option<&str>, name: &str) -> bool {
    match bless {
        Some(value) if value.trim() == "1" => true,
        Some(value) => value.split(',').any(|listed| listed.trim() == name),
        None => false,
    }
}

/// The command that rewrites what `name` shows from a real run.
pub fn bless_command(name: &str) -> String {
    format!("BLESS={name} cargo test -- {name}")
}

/// Writes `actual` to `file` when `BLESS` names `name`.
pub fn bless_if_asked(name: &str, file: &Path, actual: &str) -> Result<(), String> {
    if blessing(name) {
        fs::write(file, actual)
            .map_err(|e| format!("cannot write {}: {e}", relative(file).display()))?;
    }
    Ok(())
}

/// `file` holds exactly `actual` (after rewriting it, under `BLESS`). The
/// failure says `what` differs, shows the difference and the command that
/// rewrites the file.
pub fn matches(what: &str, name: &str, file: &Path, actual: &str) -> Result<(), String> {
    bless_if_asked(name, file, actual)?;
    let shown_name = relative(file).display().to_string();
    match fs::read_to_string(file) {
        Ok(shown) if shown == actual => Ok(()),
        Ok(shown) => Err(format!(
            "{what}: {shown_name} is not what it should show now (to rewrite it: {})\n{}",
            bless_command(name),
            diff(&shown, actual)
        )),
        Err(e) => Err(format!(
            "{what}: cannot read {shown_name} ({} writes it): {e}",
            bless_command(name)
        )),
    }
}

/// Tests of the `BLESS` parsing, run as `harness::snapshot::...`.
pub mod unit_tests {
    use super::names;

    pub const ALL: &[(&str, fn())] =
        &[("bless-names-what-to-rewrite", bless_names_what_to_rewrite)];

    fn bless_names_what_to_rewrite() {
        assert!(names(Some("1"), "appendix"));
        assert!(names(Some("threads-rayon, appendix"), "appendix"));
        assert!(!names(Some("threads-rayon"), "appendix"));
        assert!(!names(Some("threads-rayon-x"), "threads-rayon"));
        assert!(!names(Some(""), "appendix"));
        assert!(!names(None, "appendix"));
    }
}
