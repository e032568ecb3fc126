//! What the checks in `tests/` share: the expanded book that `build.rs` wrote,
//! the listing crates, and running a listing under a time limit.

pub mod book;
pub mod cargo_build;
pub mod console;
pub mod filters;
pub mod hidden;
pub mod includes;
pub mod listings;
pub mod run;
pub mod schedule;
pub mod skeptic_rustc;
pub mod snapshot;

use libtest_mimic::Failed;

/// What a check returns: `Err` carries the whole report of what is wrong.
pub type Outcome = Result<(), Failed>;

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

/// The repository root (the root package's directory).
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A unified diff of what the book shows against what the program did.
pub fn diff(shown: &str, actual: &str) -> String {
    diff_between(shown, actual, "shown in the book", "produced by the run")
}

/// A unified diff of two texts, under the names given.
pub fn diff_between(old: &str, new: &str, old_name: &str, new_name: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(old_name, new_name)
        .to_string()
}

/// The interpreter `python3` starts, if this machine has one: the Python
/// originals and the benchmark's Python side run only then (the tests that
/// need it say so). It is asked once for its own path (`sys.executable`),
/// so that a version manager's `python3`, a shell script that finds the
/// interpreter and then runs it (pyenv's takes about 0.1 s of CPU), runs
/// once and not before every Python run.
pub fn python3() -> Option<&'static Path> {
    static INTERPRETER: LazyLock<Option<PathBuf>> = LazyLock::new(|| {
        let asked = std::process::Command::new("python3")
            .args(["-c", "import sys; print(sys.executable)"])
            .output()
            .ok()
            .filter(|o| o.status.success())?;
        let path = String::from_utf8(asked.stdout).ok()?;
        let path = PathBuf::from(path.trim());
        path.is_absolute().then_some(path)
    });
    INTERPRETER.as_deref()
}

/// The message of a panic's payload (a `String` or a `&str`), or "".
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or_default()
}

/// Collects every problem before failing, so one run reports all of them.
#[derive(Default)]
pub struct Problems(Vec<String>);

impl Problems {
    pub fn add(&mut self, problem: impl Into<String>) {
        self.0.push(problem.into());
    }

    /// `Ok` when nothing was found, else every problem, under `what`.
    pub fn verdict(self, what: &str) -> Outcome {
        if self.0.is_empty() {
            return Ok(());
        }
        Err(format!(
            "{} problem(s) with {what}:\n\n{}",
            self.0.len(),
            self.0.join("\n\n")
        )
        .into())
    }
}

pub fn relative(path: &Path) -> PathBuf {
    path.strip_prefix(root()).unwrap_or(path).to_path_buf()
}
