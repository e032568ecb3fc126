//! The chapter "Comparing the models, measured" shows recorded results: these
//! checks keep them honest.
//!
//! * `src/compare/results.json` (written by `compare-models --full`) has every
//!   model and workload, and its prime counts are the known right answers.
//! * The charts in `src/compare/` are exactly what `compare-models
//!   --charts-from` draws from that file (`BLESS=1 cargo test` redraws them).
//! * When python3 is here, the Python side (`python/bench.py --quick`) runs and
//!   gets the right answers.
//!
//! Timings are never checked: they belong to the machine that recorded them.

use std::collections::BTreeSet;
use std::fs;
use std::path::PathBuf;

use super::results::{PythonResults, PythonSide, Results, Side};
use crate::common::Outcome;
use crate::common::listings::{WORKSPACE, built};
use crate::common::run::run_bounded;
use crate::common::schedule::trial;
use crate::common::{Problems, blessing, diff, root};
use libtest_mimic::{Completion, Failed, Trial};

pub fn trials() -> Vec<Trial> {
    vec![
        trial(
            "benchmark::recorded-results-have-every-model-and-the-right-answers",
            recorded_results_have_every_model_and_the_right_answers,
        ),
        trial(
            "benchmark::charts-are-what-the-chart-code-draws-from-the-results",
            charts_are_what_the_chart_code_draws_from_the_results,
        ),
        Trial::ignorable_test(
            "benchmark::python-side-runs-and-gets-the-right-answers",
            python_side_runs_and_gets_the_right_answers,
        ),
    ]
}

const LISTING: &str = "compare-models";
const RUST_MODELS: [&str; 7] = [
    "sequential",
    "threads",
    "rayon-pool",
    "processes",
    "tokio-tasks",
    "tokio-current-thread",
    "spawn-blocking",
];
const RUST_UNITS: [&str; 5] = [
    "thread",
    "process",
    "tokio task",
    "spawn_blocking call",
    "rayon job",
];
const PYTHON_MODELS: [&str; 4] = ["sequential", "threading", "multiprocessing", "asyncio"];
const PYTHON_UNITS: [&str; 3] = ["thread", "process", "asyncio task"];
const CHARTS: [&str; 5] = [
    "cpu-speedup.svg",
    "io-sleep.svg",
    "io-tcp.svg",
    "cost-spawn.svg",
    "cost-memory.svg",
];

/// The number of primes below each limit the benchmarks may use.
fn primes_below(limit: u64) -> Option<u64> {
    match limit {
        20_000 => Some(2_262),
        200_000 => Some(17_984),
        1_000_000 => Some(78_498),
        2_000_000 => Some(148_933),
        _ => None,
    }
}

fn compare_dir() -> PathBuf {
    root().join("src/compare")
}

fn results_file() -> PathBuf {
    compare_dir().join("results.json")
}

fn listing_dir() -> PathBuf {
    let listing = WORKSPACE
        .members()
        .find(|l| l.name == LISTING)
        .unwrap_or_else(|| panic!("no listing {LISTING} in the workspace"));
    root().join(&listing.dir)
}

fn read_results() -> Result<Results, String> {
    let file = results_file();
    let text = fs::read_to_string(&file).map_err(|e| {
        format!(
            "cannot read {} ({e}): record it with \
             `cargo run --release -p {LISTING} -- --full --out src/compare`",
            file.display()
        )
    })?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))
}

/// The CPU rows: every model once, each with the known prime count.
fn check_cpu(side: &Side, models: &[&str], problems: &mut Problems) {
    let what = side.name;
    let limit = side.prime_limit;
    match primes_below(limit) {
        Some(known) if side.primes_expected == known => {}
        Some(known) => problems.add(format!(
            "{what}: settings expect {} primes below {limit}, but there are {known}",
            side.primes_expected
        )),
        None => problems.add(format!(
            "{what}: prime_limit {limit} is not one whose count this test knows"
        )),
    }
    let found: Vec<&str> = side.cpu.iter().map(|r| r.model.as_str()).collect();
    if found != models {
        problems.add(format!(
            "{what}: CPU models are {found:?}, expected {models:?}"
        ));
    }
    for row in side.cpu {
        if Some(row.primes) != primes_below(limit) {
            problems.add(format!(
                "{what}: CPU model {} counted {} primes below {limit}",
                row.model, row.primes
            ));
        }
        if !(row.seconds > 0.0 && row.speedup > 0.0) {
            problems.add(format!(
                "{what}: CPU model {} has no positive time and speedup",
                row.model
            ));
        }
    }
}

/// The I/O rows: every workload, count and model once; a skipped or capped
/// measurement says why.
fn check_io(side: &Side, models: &[&str], problems: &mut Problems) {
    let what = side.name;
    if side.io_counts.is_empty() {
        problems.add(format!("{what}: no settings.io_counts"));
    }
    let mut seen = BTreeSet::new();
    for row in side.io {
        let key = (row.workload.clone(), row.n, row.model.clone());
        let skipped = row
            .note
            .as_deref()
            .is_some_and(|n| n.starts_with("skipped"));
        match (row.seconds, row.n_run) {
            (Some(seconds), Some(ran)) if seconds > 0.0 && ran > 0 && ran <= row.n => {
                if ran < row.n && row.note.is_none() {
                    problems.add(format!("{what}: I/O {key:?} ran {ran} without saying why"));
                }
            }
            (None, _) if skipped => {}
            _ => problems.add(format!(
                "{what}: I/O {key:?} is neither a time nor skipped: {row:?}"
            )),
        }
        if !seen.insert(key.clone()) {
            problems.add(format!("{what}: I/O {key:?} appears twice"));
        }
    }
    for workload in ["sleep", "tcp"] {
        for &n in side.io_counts {
            for model in models {
                let key = (workload.to_string(), n, model.to_string());
                if !seen.contains(&key) {
                    problems.add(format!("{what}: no I/O measurement {key:?}"));
                }
            }
        }
    }
}

fn check_cost(side: &Side, units: &[&str], problems: &mut Problems) {
    let what = side.name;
    let found: Vec<&str> = side.cost.iter().map(|r| r.unit.as_str()).collect();
    if found != units {
        problems.add(format!(
            "{what}: cost units are {found:?}, expected {units:?}"
        ));
    }
    for row in side.cost {
        if row.spawn_join_us <= 0.0 {
            problems.add(format!("{what}: cost {} has no spawn_join_us", row.unit));
        }
    }
}

fn recorded_results_have_every_model_and_the_right_answers() -> Outcome {
    let results = read_results()?;
    let mut problems = Problems::default();
    if results.format != 1 {
        problems.add(format!("format is {}, expected 1", results.format));
    }
    if results.machine.build != "release" {
        problems.add("the results were not measured with a release build");
    }
    if results.machine.cores == 0 || !results.machine.rustc.starts_with("rustc ") {
        problems.add("the results do not say what machine and compiler measured them");
    }
    // Each CPU figure is the median of the repetitions recorded beside it.
    for row in &results.cpu {
        let mut samples = row.samples_s.clone().unwrap_or_default();
        samples.sort_by(f64::total_cmp);
        let median = samples.get(samples.len() / 2).copied();
        if samples.len() != results.settings.cpu_repetitions as usize || median != Some(row.seconds)
        {
            problems.add(format!(
                "CPU model {}: {} s is not the median of its {} recorded samples {samples:?}",
                row.model, row.seconds, results.settings.cpu_repetitions
            ));
        }
    }
    let rust = results.rust_side();
    check_cpu(&rust, &RUST_MODELS, &mut problems);
    check_io(&rust, &RUST_MODELS, &mut problems);
    check_cost(&rust, &RUST_UNITS, &mut problems);
    match &results.python {
        PythonSide::Skipped { skipped } => problems.add(format!(
            "the recorded results have no Python side ({skipped}): record them where python3 runs"
        )),
        PythonSide::Ran(python) => {
            let python = python.side("Python");
            check_cpu(&python, &PYTHON_MODELS, &mut problems);
            check_io(&python, &PYTHON_MODELS, &mut problems);
            check_cost(&python, &PYTHON_UNITS, &mut problems);
        }
    }
    problems.verdict(&format!("{}", results_file().display()))
}

fn charts_are_what_the_chart_code_draws_from_the_results() -> Outcome {
    read_results()?; // fails first, and clearly, if there are none
    let listing = WORKSPACE
        .members()
        .find(|l| l.name == LISTING)
        .expect("the benchmark listing");
    let exe = built()?.executable(listing);
    let drawn = tempfile::tempdir().unwrap();
    let args = [
        "--charts-from".to_string(),
        results_file().display().to_string(),
        "--out".to_string(),
        drawn.path().display().to_string(),
    ];
    let run = run_bounded("compare-models --charts-from", exe, &args).unwrap();
    assert!(
        run.status.success(),
        "compare-models --charts-from failed:\n{}",
        run.output
    );
    let chapter = fs::read_to_string(compare_dir().join("index.md")).unwrap_or_default();
    let mut problems = Problems::default();
    for name in CHARTS {
        let drawn_file = drawn.path().join(name);
        let shown_file = compare_dir().join(name);
        let Ok(drawn) = fs::read_to_string(&drawn_file) else {
            problems.add(format!("compare-models drew no {name}"));
            continue;
        };
        if blessing() {
            fs::write(&shown_file, &drawn).unwrap();
        }
        match fs::read_to_string(&shown_file) {
            Ok(shown) if shown == drawn => {}
            Ok(shown) => problems.add(format!(
                "src/compare/{name} is not what the chart code draws from results.json \
                 (BLESS=1 cargo test redraws it)\n{}",
                diff(&shown, &drawn)
            )),
            Err(e) => problems.add(format!(
                "cannot read src/compare/{name} ({e}); BLESS=1 cargo test draws it"
            )),
        }
        if !chapter.contains(&format!("]({name})")) {
            problems.add(format!("src/compare/index.md does not show {name}"));
        }
    }
    // Drawing twice gives the same bytes.
    let again = tempfile::tempdir().unwrap();
    let args = [
        args[0].clone(),
        args[1].clone(),
        args[2].clone(),
        again.path().display().to_string(),
    ];
    run_bounded("compare-models --charts-from (again)", exe, &args).unwrap();
    for name in CHARTS {
        let first = fs::read(drawn.path().join(name)).unwrap_or_default();
        let second = fs::read(again.path().join(name)).unwrap_or_default();
        if first != second {
            problems.add(format!(
                "{name} differs between two drawings of the same results"
            ));
        }
    }
    problems.verdict("the benchmark's charts")
}

fn python_side_runs_and_gets_the_right_answers() -> Result<Completion, Failed> {
    let Some(python) = crate::common::python3() else {
        return Ok(Completion::ignored_with("no python3 on this machine"));
    };
    let script = listing_dir().join("python/bench.py");
    let run = run_bounded(
        "python/bench.py --quick",
        python,
        &[script.display().to_string(), "--quick".to_string()],
    )
    .unwrap();
    assert!(
        run.status.success(),
        "python3 bench.py --quick failed:\n{}",
        run.output
    );
    let results: PythonResults = serde_json::from_str(&run.output).map_err(|e| {
        format!(
            "bench.py --quick printed something else than its results ({e}):\n{}",
            run.output
        )
    })?;
    let mut problems = Problems::default();
    let side = results.side("bench.py --quick");
    check_cpu(&side, &PYTHON_MODELS, &mut problems);
    check_io(&side, &PYTHON_MODELS, &mut problems);
    check_cost(&side, &PYTHON_UNITS, &mut problems);
    problems
        .verdict("python/bench.py --quick")
        .map(|()| Completion::Completed)
}
