//! The chapter "Comparing the models, measured" shows recorded results: these
//! checks keep them honest.
//!
//! * `src/compare/results.json` (written by `compare-models --full`) has every
//!   model and workload, and its prime counts are the known right answers.
//!   Every figure has as many samples as the settings say, and its median,
//!   smallest and largest are theirs; the models ran in the recorded,
//!   rotated order; the file says when, from which commit, with which
//!   compiler and crates, and by which command it was recorded.
//! * The file is read through compare-models' own schema
//!   (`src/results.rs`), which writes it back as it is.
//! * The charts and the tables (`tables.md`) in `src/compare/` are exactly
//!   what `compare-models --charts-from` draws from that file
//!   (`BLESS=1 cargo test` redraws them).
//! * When python3 is here, the Python side (`python/bench.py --quick`) runs and
//!   gets the right answers.
//!
//! Timings are never checked: they belong to the machine that recorded them.

use std::collections::BTreeSet;
use std::fs;
use std::path::PathBuf;

use super::results::{
    self as schema, Bytes, CostRow, CpuRow, Curve, IoRow, Micros, PythonResults, PythonSide,
    Results, Seconds,
};
use crate::common::Outcome;
use crate::common::listings::{WORKSPACE, built};
use crate::common::run::{run_bounded, run_within};
use crate::common::schedule::trial;
use crate::common::{Problems, diff_between, root, snapshot};
use libtest_mimic::{Completion, Failed, Trial};

pub fn trials() -> Vec<Trial> {
    vec![
        trial(
            "benchmark::recorded-results-have-every-model-and-the-right-answers",
            recorded_results_have_every_model_and_the_right_answers,
        ),
        trial(
            "benchmark::results-file-is-what-the-schema-writes",
            results_file_is_what_the_schema_writes,
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
/// At least this many samples of every figure in the recorded results.
const RECORDED_SAMPLES: u32 = 5;
const RUST_MODELS: [&str; 7] = [
    "sequential",
    "threads",
    "rayon-pool",
    "processes",
    "tokio-tasks",
    "tokio-current-thread",
    "spawn-blocking",
];
/// The models that can use more than one core: the scaling curve's.
const RUST_SCALABLE: [&str; 5] = [
    "threads",
    "rayon-pool",
    "processes",
    "tokio-tasks",
    "spawn-blocking",
];
const RUST_UNITS: [&str; 5] = [
    "thread",
    "process",
    "tokio task",
    "spawn_blocking call",
    "rayon job",
];
/// The units whose memory is measured.
const RUST_MEMORY: [&str; 3] = ["thread", "process", "tokio task"];
const PYTHON_MODELS: [&str; 4] = ["sequential", "threading", "multiprocessing", "asyncio"];
const PYTHON_SCALABLE: [&str; 2] = ["threading", "multiprocessing"];
const PYTHON_UNITS: [&str; 3] = ["thread", "process", "asyncio task"];
/// What the chart code writes: the charts and the tables the page includes.
const CHARTS: [&str; 7] = [
    "cpu-speedup.svg",
    "cpu-scaling.svg",
    "io-sleep.svg",
    "io-tcp.svg",
    "cost-spawn.svg",
    "cost-memory.svg",
    "tables.md",
];

/// What the checks compare on either side.
struct Side<'a> {
    name: &'a str,
    prime_limit: u64,
    primes_expected: u64,
    repetitions: u32,
    io_counts: &'a [u64],
    run_log: &'a [(String, u32, String)],
    cpu: &'a [CpuRow],
    scaling: &'a [Curve],
    io: &'a [IoRow],
    cost: &'a [CostRow],
}

fn rust_side(results: &Results) -> Side<'_> {
    Side {
        name: "Rust",
        prime_limit: results.settings.prime_limit,
        primes_expected: results.settings.primes_expected,
        repetitions: results.settings.repetitions,
        io_counts: &results.settings.io_counts,
        run_log: &results.run_log,
        cpu: &results.cpu,
        scaling: &results.scaling,
        io: &results.io,
        cost: &results.cost,
    }
}

fn python_side<'a>(python: &'a PythonResults, name: &'a str) -> Side<'a> {
    Side {
        name,
        prime_limit: python.settings.prime_limit,
        primes_expected: python.settings.primes_expected,
        repetitions: python.settings.repetitions,
        io_counts: &python.settings.io_counts,
        run_log: &python.run_log,
        cpu: &python.cpu,
        scaling: &python.scaling,
        io: &python.io,
        cost: &python.cost,
    }
}

/// The samples of one figure: the median, the smallest and the largest, in
/// the unit that ends their keys.
trait Samples {
    fn median(&self) -> f64;
    fn min(&self) -> f64;
    fn max(&self) -> f64;
    fn samples(&self) -> &[f64];
}

macro_rules! samples_in {
    ($name:ident, $median:ident, $min:ident, $max:ident, $samples:ident) => {
        impl Samples for $name {
            fn median(&self) -> f64 {
                self.$median
            }
            fn min(&self) -> f64 {
                self.$min
            }
            fn max(&self) -> f64 {
                self.$max
            }
            fn samples(&self) -> &[f64] {
                &self.$samples
            }
        }
    };
}

samples_in!(Seconds, median_s, min_s, max_s, samples_s);
samples_in!(Micros, median_us, min_us, max_us, samples_us);
samples_in!(Bytes, median_bytes, min_bytes, max_bytes, samples_bytes);

/// What one side of the results must hold.
struct Expect<'a> {
    models: &'a [&'a str],
    scalable: &'a [&'a str],
    units: &'a [&'a str],
    memory: &'a [&'a str],
    cores: u32,
}

fn python_expect(cores: u32) -> Expect<'static> {
    Expect {
        models: &PYTHON_MODELS,
        scalable: &PYTHON_SCALABLE,
        units: &PYTHON_UNITS,
        memory: &PYTHON_UNITS,
        cores,
    }
}

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
    schema::from_text(&text).map_err(|e| format!("{}: {e}", file.display()))
}

/// The middle sample; with an even number, the mean of the middle two (as
/// the program's `Spread::median` and Python's `statistics.median`).
fn median(samples: &[f64]) -> Option<f64> {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1e-12)
}

/// A figure has the side's number of samples, and its median, smallest
/// and largest are theirs; times must be positive.
fn check_samples(
    what: &str,
    figure: &impl Samples,
    repetitions: u32,
    positive: bool,
    problems: &mut Problems,
) {
    let samples = figure.samples();
    if samples.len() != repetitions as usize {
        problems.add(format!(
            "{what}: {} samples, but the settings say {repetitions}",
            samples.len()
        ));
    }
    let smallest = samples.iter().copied().fold(f64::INFINITY, f64::min);
    let largest = samples.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let right = median(samples).is_some_and(|m| close(m, figure.median()))
        && close(smallest, figure.min())
        && close(largest, figure.max());
    if !right {
        problems.add(format!(
            "{what}: median {} (min {}, max {}) is not that of its samples {samples:?}",
            figure.median(),
            figure.min(),
            figure.max()
        ));
    }
    if positive && !samples.iter().all(|s| *s > 0.0 && s.is_finite()) {
        problems.add(format!(
            "{what}: a sample is not a positive number: {samples:?}"
        ));
    }
}

/// The run log of one group of samples (`cpu 2 workers`, `io tcp 10000`,
/// `cost`...): in every repetition each of `names` ran once, the
/// repetitions one after another; no model ran first in most repetitions,
/// and each pair of neighbours ran about as often one way as the other.
fn check_group_log(side: &Side, group: &str, names: &[&str], problems: &mut Problems) {
    let what = format!("{}: run log of {group}", side.name);
    let entries: Vec<(u32, &str)> = side
        .run_log
        .iter()
        .filter(|(g, _, _)| g == group)
        .map(|(_, repetition, name)| (*repetition, name.as_str()))
        .collect();
    let mut orders: Vec<Vec<&str>> = Vec::new();
    for (repetition, name) in &entries {
        if *repetition as usize == orders.len() {
            orders.push(Vec::new());
        }
        let current = orders.len();
        match orders.last_mut() {
            Some(order) if *repetition as usize + 1 == current => order.push(name),
            _ => {
                problems.add(format!("{what}: repetition {repetition} out of turn"));
                return;
            }
        }
    }
    if orders.len() != side.repetitions as usize {
        problems.add(format!(
            "{what}: {} repetitions logged, {} expected",
            orders.len(),
            side.repetitions
        ));
    }
    for (repetition, order) in orders.iter().enumerate() {
        let mut sorted = order.clone();
        sorted.sort_unstable();
        let mut expected = names.to_vec();
        expected.sort_unstable();
        if sorted != expected {
            problems.add(format!(
                "{what}: repetition {repetition} ran {order:?}, not each of {names:?} once"
            ));
        }
    }
    let repetitions = orders.len();
    if names.len() > 2 && repetitions > 1 {
        for name in names {
            let first = orders.iter().filter(|o| o.first() == Some(name)).count();
            if first * 2 > repetitions {
                problems.add(format!(
                    "{what}: {name} ran first in {first} of {repetitions} repetitions"
                ));
            }
        }
    }
    let runs_after = |a: &str, b: &str| {
        orders
            .iter()
            .filter(|o| o.windows(2).any(|w| w[0] == a && w[1] == b))
            .count()
    };
    for (i, a) in names.iter().enumerate() {
        for b in &names[i + 1..] {
            let (ab, ba) = (runs_after(a, b), runs_after(b, a));
            if ab.abs_diff(ba) > 1 {
                problems.add(format!(
                    "{what}: {b} ran right after {a} {ab} times, {a} after {b} {ba} times"
                ));
            }
        }
    }
}

/// Every group the run log holds has its balanced orders, and every figure
/// has one logged sample per sample it records.
fn check_run_log(side: &Side, expect: &Expect, problems: &mut Problems) {
    let mut groups: Vec<(String, Vec<&str>)> = vec![
        (
            format!("cpu {} workers", expect.cores),
            expect.models.to_vec(),
        ),
        ("cost".to_string(), expect.units.to_vec()),
    ];
    for workers in 1..expect.cores {
        groups.push((format!("cpu {workers} workers"), expect.scalable.to_vec()));
    }
    for workload in ["sleep", "tcp"] {
        for n in side.io_counts {
            let ran: Vec<&str> = side
                .io
                .iter()
                .filter(|r| r.workload == workload && r.n == *n && r.n_run > 0)
                .map(|r| r.model.as_str())
                .collect();
            groups.push((format!("io {workload} {n}"), ran));
        }
    }
    for (group, names) in &groups {
        check_group_log(side, group, names, problems);
    }
    let known = |group: &str| groups.iter().any(|(g, _)| g == group);
    if let Some((group, _, _)) = side.run_log.iter().find(|(g, _, _)| !known(g)) {
        problems.add(format!(
            "{}: run log names an unknown group {group:?}",
            side.name
        ));
    }
}

/// The CPU rows: every model once, each with the known prime count, and a
/// speedup that is the sequential median over its own.
fn check_cpu(side: &Side, expect: &Expect, problems: &mut Problems) {
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
    if found != expect.models {
        problems.add(format!(
            "{what}: CPU models are {found:?}, expected {:?}",
            expect.models
        ));
    }
    let baseline = side.cpu.first().map(|row| row.time.median_s);
    for row in side.cpu {
        if Some(row.primes) != primes_below(limit) {
            problems.add(format!(
                "{what}: CPU model {} counted {} primes below {limit}",
                row.model, row.primes
            ));
        }
        let label = format!("{what}: CPU model {}", row.model);
        check_samples(&label, &row.time, side.repetitions, true, problems);
        if let Some(baseline) = baseline
            && !close(row.speedup, baseline / row.time.median_s)
        {
            problems.add(format!(
                "{label}: speedup {} is not the sequential median over its own",
                row.speedup
            ));
        }
    }
}

/// The scaling curve: every model that can use more cores, at 1 to all the
/// cores' workers; at all of them it is the CPU table's own figure.
fn check_scaling(side: &Side, expect: &Expect, problems: &mut Problems) {
    let what = side.name;
    let found: Vec<&str> = side.scaling.iter().map(|c| c.model.as_str()).collect();
    if found != expect.scalable {
        problems.add(format!(
            "{what}: scaling curves for {found:?}, expected {:?}",
            expect.scalable
        ));
    }
    for curve in side.scaling {
        let workers: Vec<u32> = curve.points.iter().map(|p| p.workers).collect();
        let all: Vec<u32> = (1..=expect.cores).collect();
        if workers != all {
            problems.add(format!(
                "{what}: the scaling curve of {} has workers {workers:?}, expected {all:?}",
                curve.model
            ));
        }
        for point in &curve.points {
            let label = format!("{what}: {} with {} workers", curve.model, point.workers);
            check_samples(&label, &point.time, side.repetitions, true, problems);
        }
        let row = side.cpu.iter().find(|r| r.model == curve.model);
        let last = curve.points.last();
        if let (Some(row), Some(last)) = (row, last)
            && last.time.samples_s != row.time.samples_s
        {
            problems.add(format!(
                "{what}: the scaling curve of {} does not end on the CPU table's figure",
                curve.model
            ));
        }
    }
}

/// The I/O rows: every workload, count and model once; a skipped or capped
/// measurement says why; requests record the TCP counters of each sample.
fn check_io(side: &Side, expect: &Expect, problems: &mut Problems) {
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
        match (&row.time, row.n_run) {
            (Some(time), ran) if ran > 0 && ran <= row.n => {
                if ran < row.n && row.note.is_none() {
                    problems.add(format!("{what}: I/O {key:?} ran {ran} without saying why"));
                }
                let label = format!("{what}: I/O {key:?}");
                check_samples(&label, time, side.repetitions, true, problems);
            }
            (None, 0) if skipped => {}
            _ => problems.add(format!(
                "{what}: I/O {key:?} is neither a time nor skipped: {row:?}"
            )),
        }
        match (&row.tcp, row.workload.as_str(), row.n_run) {
            (Some(tcp), "tcp", ran) if ran > 0 => {
                let counts = [tcp.listen_overflows.len(), tcp.syn_retransmits.len()];
                if counts != [side.repetitions as usize; 2] {
                    problems.add(format!(
                        "{what}: I/O {key:?} has TCP counters for {counts:?} samples, not {}",
                        side.repetitions
                    ));
                }
            }
            (None, _, _) => {}
            _ => problems.add(format!(
                "{what}: I/O {key:?} has TCP counters, but made no requests"
            )),
        }
        if !seen.insert(key.clone()) {
            problems.add(format!("{what}: I/O {key:?} appears twice"));
        }
    }
    for workload in ["sleep", "tcp"] {
        for &n in side.io_counts {
            for model in expect.models {
                let key = (workload.to_string(), n, model.to_string());
                if !seen.contains(&key) {
                    problems.add(format!("{what}: no I/O measurement {key:?}"));
                }
            }
        }
    }
}

/// The cost rows: every unit, its spawn time, and the memory of each unit
/// that has one.
fn check_cost(side: &Side, expect: &Expect, problems: &mut Problems) {
    let what = side.name;
    let found: Vec<&str> = side.cost.iter().map(|r| r.unit.as_str()).collect();
    if found != expect.units {
        problems.add(format!(
            "{what}: cost units are {found:?}, expected {:?}",
            expect.units
        ));
    }
    for row in side.cost {
        let label = format!("{what}: cost of a {}", row.unit);
        check_samples(&label, &row.spawn_join, side.repetitions, true, problems);
        let measured = expect.memory.contains(&row.unit.as_str());
        match &row.memory {
            Some(memory) if measured && row.alive > 0 => {
                let label = format!("{label}, memory");
                check_samples(&label, memory, side.repetitions, false, problems);
            }
            None if !measured => {}
            _ => problems.add(format!(
                "{label}: memory {} measured, with {} alive",
                if row.memory.is_some() { "is" } else { "is not" },
                row.alive
            )),
        }
    }
}

fn check_side(side: &Side, expect: &Expect, problems: &mut Problems) {
    check_cpu(side, expect, problems);
    check_scaling(side, expect, problems);
    check_io(side, expect, problems);
    check_cost(side, expect, problems);
    check_run_log(side, expect, problems);
}

/// When, where, from what and how the results were recorded.
fn check_provenance(results: &Results, problems: &mut Problems) {
    let date = results.date.as_deref().unwrap_or_default();
    let date_shape = date.len() == 20 && date.ends_with('Z') && date.as_bytes()[10] == b'T';
    if !date_shape {
        problems.add(format!(
            "the results' date {date:?} is not a UTC time like 2026-11-27T03:07:40Z"
        ));
    }
    let commit = results.commit.as_deref().unwrap_or_default();
    if commit.len() != 40 || !commit.chars().all(|c| c.is_ascii_hexdigit()) {
        problems.add(format!("the results name no commit ({commit:?})"));
    }
    if !results.command.contains(LISTING) || !results.command.contains("--full") {
        problems.add(format!(
            "the results' command {:?} is not a full run of {LISTING}",
            results.command
        ));
    }
    for name in ["tokio", "rayon"] {
        let version = results.crates.get(name).map(String::as_str);
        if version.is_none_or(|v| !v.starts_with(|c: char| c.is_ascii_digit())) {
            problems.add(format!(
                "the results give no version of {name} ({version:?})"
            ));
        }
    }
    if results.machine.build != "release" {
        problems.add("the results were not measured with a release build");
    }
    if results.machine.cores == 0 || !results.machine.rustc.starts_with("rustc ") {
        problems.add("the results do not say how many cores and which compiler measured them");
    }
    if results.settings.repetitions < RECORDED_SAMPLES {
        problems.add(format!(
            "the results have {} samples of each figure; a full run takes at least {RECORDED_SAMPLES}",
            results.settings.repetitions
        ));
    }
}

fn recorded_results_have_every_model_and_the_right_answers() -> Outcome {
    let results = read_results()?;
    let mut problems = Problems::default();
    if results.format != schema::FORMAT {
        problems.add(format!(
            "format is {}, expected {}: record them again with \
             `cargo run --release -p {LISTING} -- --full --out src/compare`",
            results.format,
            schema::FORMAT
        ));
    }
    check_provenance(&results, &mut problems);
    let cores = results.machine.cores;
    let rust = Expect {
        models: &RUST_MODELS,
        scalable: &RUST_SCALABLE,
        units: &RUST_UNITS,
        memory: &RUST_MEMORY,
        cores,
    };
    check_side(&rust_side(&results), &rust, &mut problems);
    // A capped processes row ran as many as the recorded cap.
    let cap = results.limits.processes.max;
    for row in results.io.iter().filter(|r| r.model == "processes") {
        if row.n_run < row.n && Some(row.n_run) != cap {
            problems.add(format!(
                "processes ran {} of {} waits, but the recorded cap is {cap:?}",
                row.n_run, row.n
            ));
        }
    }
    match &results.python {
        PythonSide::Skipped { skipped } => problems.add(format!(
            "the recorded results have no Python side ({skipped}): record them where python3 runs"
        )),
        PythonSide::Ran(python) => {
            let side = python_side(python, "Python");
            if side.repetitions != results.settings.repetitions {
                problems.add("Python took another number of samples than Rust");
            }
            check_side(&side, &python_expect(cores), &mut problems);
        }
    }
    problems.verdict(&format!("{}", results_file().display()))
}

/// The recorded file reads into compare-models' schema, and the schema
/// writes it back as it is: the program's writer and these checks' reader
/// agree on every key, its place, every type and every number.
///
/// The text is compared with the file as `serde_json::Value` reads and
/// writes it. serde_json reads some floats one unit in the last place off
/// (exact reading is its `float_roundtrip` feature), and a few recorded
/// numbers would be printed back with another last digit; through `Value`
/// both sides hold the same numbers. Everything else must be the file's text,
/// and those numbers must be the file's to within that unit.
fn results_file_is_what_the_schema_writes() -> Outcome {
    let results = read_results()?;
    let recorded = fs::read_to_string(results_file()).unwrap_or_default();
    let as_read: serde_json::Value = serde_json::from_str(&recorded).map_err(|e| e.to_string())?;
    let expected =
        serde_json::to_string_pretty(&as_read).expect("a Value always serializes") + "\n";
    only_the_reading_of_floats_differs(&recorded, &expected)
        .map_err(|e| format!("{}: {e}", results_file().display()))?;
    let written = schema::to_text(&results);
    if written == expected {
        return Ok(());
    }
    Err(format!(
        "{} is not what compare-models' schema (src/results.rs) writes from it:\n{}",
        results_file().display(),
        diff_between(&expected, &written, "the file", "the schema")
    )
    .into())
}

/// The lines where `recorded` and `reread` (the same text read and written
/// by serde_json) differ each hold one number, with the same key, and the two
/// numbers are at most one unit in the last place apart.
fn only_the_reading_of_floats_differs(recorded: &str, reread: &str) -> Result<(), String> {
    let (recorded, reread): (Vec<&str>, Vec<&str>) =
        (recorded.lines().collect(), reread.lines().collect());
    if recorded.len() != reread.len() {
        return Err(format!(
            "serde_json writes it back in {} lines, not {}: it is not written as serde_json writes",
            reread.len(),
            recorded.len()
        ));
    }
    for (index, (was, is)) in recorded.iter().zip(&reread).enumerate() {
        if was != is && !one_float_apart(was, is) {
            return Err(format!(
                "line {} is written back as {is:?}, not {was:?}: only a float's last digit may differ",
                index + 1
            ));
        }
    }
    Ok(())
}

/// `"key": NUMBER,` (or a bare array element) on both lines, the same key,
/// and numbers at most one unit in the last place apart.
fn one_float_apart(was: &str, is: &str) -> bool {
    fn split(line: &str) -> (&str, Option<f64>) {
        let line = line.strip_suffix(',').unwrap_or(line);
        let at = line.rfind(' ').map_or(0, |space| space + 1);
        (&line[..at], line[at..].parse().ok())
    }
    match (split(was), split(is)) {
        ((key, Some(a)), (same_key, Some(b))) if key == same_key => {
            a.is_finite() && b.is_finite() && a.to_bits().abs_diff(b.to_bits()) <= 1
        }
        _ => false,
    }
}

fn charts_are_what_the_chart_code_draws_from_the_results() -> Outcome {
    read_results()?; // fails first, and clearly, if there are none
    let listing = WORKSPACE
        .members()
        .find(|l| l.name == LISTING)
        .expect("the benchmark listing");
    let exe = built()?.executable(&listing.name)?;
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
    // The chapter's pages: every `.md` in src/compare/ but the generated tables.
    let chapter: String = fs::read_dir(compare_dir())
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .filter(|path| !path.ends_with("tables.md"))
        .map(|path| fs::read_to_string(path).unwrap_or_default())
        .collect();
    let mut problems = Problems::default();
    for name in CHARTS {
        let drawn_file = drawn.path().join(name);
        let shown_file = compare_dir().join(name);
        let Ok(drawn) = fs::read_to_string(&drawn_file) else {
            problems.add(format!("compare-models drew no {name}"));
            continue;
        };
        if let Err(problem) = snapshot::matches(
            "the chart code, drawing from results.json,",
            "benchmark",
            &shown_file,
            &drawn,
        ) {
            problems.add(problem);
        }
        let shown = if name.ends_with(".md") {
            format!("{{{{#include {name}:")
        } else {
            format!("]({name})")
        };
        if !chapter.contains(&shown) {
            problems.add(format!("no page of src/compare/ shows {name}"));
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
    // About 5 s alone: it starts some thirty interpreters and worker pools
    // and sleeps for real. On a 2-core machine under load it has passed the
    // 20 s a listing gets, so a hang is caught later here.
    let run = run_within(
        std::time::Duration::from_secs(60),
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
    let side = python_side(&results, "bench.py --quick");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as u32;
    check_side(&side, &python_expect(cores), &mut problems);
    problems
        .verdict("python/bench.py --quick")
        .map(|()| Completion::Completed)
}
