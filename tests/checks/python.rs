//! A `.py` file beside a listing is the Python guide's original of it: the
//! Python program and the Rust listing must print the same thing. One test
//! per original, `<listing>::python`; ignored, with the reason, where this
//! machine has no python3.

use std::fs;
use std::path::PathBuf;

use libtest_mimic::{Completion, Trial};

use super::outputs::{finished_run, named};
use crate::common::listings::WORKSPACE;
use crate::common::run::run_bounded;
use crate::common::{diff_between, python3, relative, root};

/// Listings whose Python original starts a `multiprocessing.Process` at the
/// top level of the script, with no `if __name__ == "__main__":` guard, as
/// the Python guide's example does. That works only with the `fork` start
/// method: under `spawn` (macOS's default) or `forkserver` (Linux's default
/// since Python 3.14) the child imports the script again and fails with
/// "An attempt has been made to start a new process before the current
/// process has finished its bootstrapping phase". So these originals run
/// with `fork` forced, as `three-models.md` says they must.
const NEEDS_FORK_START_METHOD: &[&str] = &["print-numbers-fork"];

/// Runs a script as `__main__` after setting multiprocessing's start method
/// to `fork`; the script's path is its first argument.
const WITH_FORK: &str = "import multiprocessing, runpy, sys; \
    multiprocessing.set_start_method('fork'); \
    runpy.run_path(sys.argv[1], run_name='__main__')";

pub fn trials() -> Vec<Trial> {
    let mut trials = Vec::new();
    for listing in WORKSPACE.members() {
        for script in python_files(&listing.dir) {
            let name = listing.name.clone();
            trials.push(
                Trial::ignorable_test(format!("{}::python", listing.name), move || {
                    let Some(python) = python3() else {
                        return Ok(Completion::ignored_with("no python3 on this machine"));
                    };
                    let listing = named(&name);
                    let what = format!(
                        "{} (the Python original of {})",
                        relative(&script).display(),
                        listing.name
                    );
                    let script_path = script.display().to_string();
                    let args = if NEEDS_FORK_START_METHOD.contains(&name.as_str()) {
                        vec!["-c".to_string(), WITH_FORK.to_string(), script_path]
                    } else {
                        vec![script_path]
                    };
                    let python_run = run_bounded(&what, python, &args)?;
                    let rust_run = finished_run(listing, 1)?;
                    if python_run.output == rust_run.output {
                        return Ok(Completion::Completed);
                    }
                    Err(format!(
                        "{what} prints something else than the Rust listing's run\n{}",
                        diff_between(
                            &rust_run.output,
                            &python_run.output,
                            "the Rust listing's run",
                            "the Python original's run"
                        )
                    )
                    .into())
                })
                .with_kind("python"),
            );
        }
    }
    trials
}

fn python_files(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = fs::read_dir(root().join(dir))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "py"))
        .collect();
    found.sort();
    found
}
