//! A listing with unit tests of its own (`#[cfg(test)]`, such as a test on
//! tokio's paused clock) has them built and run: `<listing>::unit-tests`,
//! which passes only if at least one test ran and none failed. (The loom
//! models, under `cfg(all(test, loom))`, are run by `.ci/run` instead.)

use std::fs;
use std::sync::LazyLock;

use crate::common::cargo_build::{self, Report};
use crate::common::schedule::trial;
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
static UNIT_TEST_BUILDS: LazyLock<Result<Report, String>> = LazyLock::new(|| {
    let listings: Vec<&Listing> = WORKSPACE.members().filter(|l| has_unit_tests(l)).collect();
    let mut args = vec!["test", "--no-run"];
    for listing in &listings {
        args.extend(["-p", listing.name.as_str()]);
    }
    args.extend(["-p", env!("CARGO_PKG_NAME"), "--bins", "--test", "book"]);
    cargo_build::build(&args)
});

fn run_unit_tests(listing: &Listing) -> Outcome {
    let builds = UNIT_TEST_BUILDS.as_ref().map_err(Clone::clone)?;
    let exe = builds.executable(&listing.name)?;
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
