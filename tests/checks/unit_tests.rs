//! A listing with unit tests of its own (`#[cfg(test)]`, such as a test on
//! tokio's paused clock) has them built and run: `<listing>::unit-tests`,
//! which passes only if at least one test ran and none failed. (The loom
//! models, under `cfg(all(test, loom))`, are run by `.ci/run` instead.)

use std::collections::BTreeMap;
use std::fs;
use std::io::BufReader;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::LazyLock;

use crate::common::schedule::trial;
use cargo_metadata::Message;
use libtest_mimic::Trial;
use regex::Regex;

use super::outputs::named;
use crate::common::listings::{Listing, WORKSPACE};
use crate::common::run::run_bounded;
use crate::common::{Outcome, root};

pub fn trials() -> Vec<Trial> {
    WORKSPACE
        .members()
        .filter(|l| has_unit_tests(l))
        .map(|listing| {
            let name = listing.name.clone();
            trial(format!("{}::unit-tests", listing.name), move || {
                run_unit_tests(named(&name))
            })
            .with_kind("unit-tests")
        })
        .collect()
}

fn has_unit_tests(listing: &Listing) -> bool {
    let src = root().join(&listing.dir).join("src");
    fs::read_dir(src)
        .into_iter()
        .flatten()
        .flatten()
        .any(|file| fs::read_to_string(file.path()).is_ok_and(|text| text.contains("#[cfg(test)]")))
}

/// The test executables of every listing that has unit tests, built by one
/// cargo call. The harness's own test target is named too, so that cargo
/// resolves the shared crates' features as `cargo test` did and compiles
/// nothing twice (it is already built).
static UNIT_TEST_BUILDS: LazyLock<Result<BTreeMap<String, PathBuf>, String>> =
    LazyLock::new(|| {
        let listings: Vec<&Listing> = WORKSPACE.members().filter(|l| has_unit_tests(l)).collect();
        let mut cargo = Command::new(env!("CARGO"));
        cargo
            .current_dir(root())
            .args(["test", "--no-run", "--message-format=json"]);
        for listing in &listings {
            cargo.args(["-p", &listing.name]);
        }
        cargo.args(["-p", env!("CARGO_PKG_NAME"), "--bins", "--test", "book"]);
        let mut child = cargo
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        let mut executables = BTreeMap::new();
        let mut errors = String::new();
        for message in Message::parse_stream(BufReader::new(child.stdout.take().unwrap())) {
            match message.map_err(|e| e.to_string())? {
                Message::CompilerArtifact(artifact) => {
                    let listing = listings.iter().find(|l| {
                        l.package
                            .as_ref()
                            .is_some_and(|p| p.id == artifact.package_id)
                    });
                    if let (Some(listing), Some(exe)) = (listing, artifact.executable) {
                        executables.insert(listing.name.clone(), exe.into_std_path_buf());
                    }
                }
                Message::CompilerMessage(message) => {
                    errors.push_str(&message.message.rendered.unwrap_or_default());
                }
                _ => {}
            }
        }
        if !child.wait().map_err(|e| e.to_string())?.success() {
            return Err(format!(
                "`cargo test --no-run` of the listings failed:\n{errors}"
            ));
        }
        Ok(executables)
    });

fn run_unit_tests(listing: &Listing) -> Outcome {
    let builds = UNIT_TEST_BUILDS.as_ref().map_err(Clone::clone)?;
    let exe = builds
        .get(&listing.name)
        .ok_or_else(|| format!("cargo built no test executable for {}", listing.name))?;
    let what = format!("the unit tests of listing {}", listing.name);
    let run = run_bounded(&what, exe, &[])?;
    static RESULT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"test result: ok\. (\d+) passed; 0 failed").unwrap());
    let passed: usize = RESULT
        .captures(&run.output)
        .and_then(|c| c[1].parse().ok())
        .unwrap_or(0);
    if run.status.success() && passed > 0 {
        return Ok(());
    }
    Err(format!(
        "{what}: {} ({passed} passed; at least one must run)\n{}",
        run.status, run.output
    )
    .into())
}
