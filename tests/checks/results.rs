//! `src/compare/results.json`, as `compare-models --full` writes it, read into
//! types. Every struct rejects keys it does not know: a field renamed in the
//! program and not here is an error, not a silent gap in the checks.

// The types describe the whole file; the checks read the parts that can be
// checked without a timing (answers, completeness, how figures relate).
#![allow(dead_code)]

use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Results {
    pub format: u32,
    pub command: String,
    pub machine: Machine,
    pub settings: RustSettings,
    pub cpu: Vec<CpuRow>,
    pub io: Vec<IoRow>,
    pub cost: Vec<CostRow>,
    pub limits: Limits,
    pub python: PythonSide,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Machine {
    pub build: String,
    pub cores: u32,
    pub cpu: String,
    pub kernel: String,
    pub memory_mib: u64,
    pub os: String,
    pub rustc: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RustSettings {
    pub cpu_repetitions: u32,
    pub io_budget_s: u64,
    pub io_counts: Vec<u64>,
    pub prime_limit: u64,
    pub primes_expected: u64,
    pub wait_ms: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CpuRow {
    pub model: String,
    pub primes: u64,
    /// Every repetition (the Rust side; Python ran each model once).
    pub samples_s: Option<Vec<f64>>,
    pub seconds: f64,
    pub speedup: f64,
    pub workers: u32,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct IoRow {
    pub model: String,
    pub workload: String,
    pub n: u64,
    /// How many ran, when fewer than `n` could (a cap), or `None` when skipped.
    pub n_run: Option<u64>,
    pub note: Option<String>,
    pub seconds: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostRow {
    pub unit: String,
    pub alive: u64,
    pub spawns: Option<u64>,
    pub spawn_join_us: f64,
    pub memory_bytes: Option<u64>,
    pub pss_bytes: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    pub threads: Limit,
    pub processes: Limit,
    pub sockets: Limit,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    pub max: u64,
    pub reason: String,
}

/// What `python/bench.py` printed, or why it did not run.
#[derive(Deserialize)]
#[serde(untagged)]
pub enum PythonSide {
    Ran(PythonResults),
    Skipped { skipped: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PythonResults {
    pub implementation: String,
    pub python: String,
    pub settings: PythonSettings,
    pub cpu: Vec<CpuRow>,
    pub io: Vec<IoRow>,
    pub cost: Vec<CostRow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PythonSettings {
    pub io_budget: f64,
    pub io_counts: Vec<u64>,
    pub prime_limit: u64,
    pub primes_expected: u64,
    pub process_spawns: u64,
    pub processes_alive: u64,
    pub task_spawns: u64,
    pub tasks_alive: u64,
    pub thread_spawns: u64,
    pub threads_alive: u64,
    pub wait: f64,
}

/// What the checks compare on either side.
pub struct Side<'a> {
    pub name: &'a str,
    pub prime_limit: u64,
    pub primes_expected: u64,
    pub io_counts: &'a [u64],
    pub cpu: &'a [CpuRow],
    pub io: &'a [IoRow],
    pub cost: &'a [CostRow],
}

impl Results {
    pub fn rust_side(&self) -> Side<'_> {
        Side {
            name: "Rust",
            prime_limit: self.settings.prime_limit,
            primes_expected: self.settings.primes_expected,
            io_counts: &self.settings.io_counts,
            cpu: &self.cpu,
            io: &self.io,
            cost: &self.cost,
        }
    }
}

impl PythonResults {
    pub fn side<'a>(&'a self, name: &'a str) -> Side<'a> {
        Side {
            name,
            prime_limit: self.settings.prime_limit,
            primes_expected: self.settings.primes_expected,
            io_counts: &self.settings.io_counts,
            cpu: &self.cpu,
            io: &self.io,
            cost: &self.cost,
        }
    }
}
