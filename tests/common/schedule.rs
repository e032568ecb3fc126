//! The order the tests start in. The runner hands tests to its threads in
//! the order it gets them, so a slow test that starts last keeps the whole
//! suite waiting for it alone. Each run writes down how long every test
//! took, and the next run starts the slowest first (tests it has no time
//! for, new ones, go first of all). Only the order changes: every selected
//! test still runs.

use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use libtest_mimic::Trial;

use super::Outcome;

/// How long each test of this run took, in milliseconds, by name.
static TOOK: Mutex<BTreeMap<String, u128>> = Mutex::new(BTreeMap::new());

/// A test whose running time is written down for the next run's order.
pub fn trial(name: impl Into<String>, runner: impl FnOnce() -> Outcome + Send + 'static) -> Trial {
    let name = name.into();
    let key = name.clone();
    Trial::test(name, move || {
        let started = Instant::now();
        let outcome = runner();
        TOOK.lock()
            .unwrap()
            .insert(key, started.elapsed().as_millis());
        outcome
    })
}

/// Cargo's scratch directory for integration tests, inside `target/`.
fn times_file() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("book-test-times.tsv")
}

fn last_times() -> BTreeMap<String, u128> {
    let text = std::fs::read_to_string(times_file()).unwrap_or_default();
    text.lines()
        .filter_map(|line| {
            let (millis, name) = line.split_once('\t')?;
            Some((name.to_owned(), millis.parse().ok()?))
        })
        .collect()
}

/// Sorts the tests, slowest of the last run first (stable: ties keep the
/// order the checks listed them in). The tests named in `first` go first
/// of all: they will do work the last run's time does not show.
pub fn slowest_first(trials: &mut [Trial], first: &[&str]) {
    let last = last_times();
    trials.sort_by_key(|trial| {
        if first.contains(&trial.name()) {
            return Reverse(u128::MAX);
        }
        Reverse(last.get(trial.name()).copied().unwrap_or(u128::MAX - 1))
    });
}

/// Writes this run's times over the last run's (a filtered run keeps the
/// times of the tests it did not run). Losing the file only costs order.
pub fn remember_times() {
    let mut times = last_times();
    times.extend(TOOK.lock().unwrap().clone());
    let text: String = times
        .iter()
        .map(|(name, millis)| format!("{millis}\t{name}\n"))
        .collect();
    let _ = std::fs::write(times_file(), text);
}
