//! `src/compare/results.json`, as `compare-models --full` writes it (format
//! 2), read into types. Every struct rejects keys it does not know: a field
//! renamed in the program and not here is an error, not a silent gap in the
//! checks.

// The types describe the whole file; the checks read the parts that can be
// checked without a timing (answers, completeness, how figures relate).
#![allow(dead_code)]

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};
use serde_json::Value;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Results {
    pub format: u32,
    /// When the run started, in UTC: `2026-11-27T03:07:40Z`.
    pub date: Option<String>,
    /// How it was run: `cargo run --release -p compare-models -- --full ...`.
    pub command: String,
    /// The program's arguments as it was started...
    pub argv: Vec<String>,
    /// ...and the environment variables that change what the models do.
    pub environment: BTreeMap<String, Option<String>>,
    /// The commit checked out, and whether the work tree differed from it.
    pub commit: Option<String>,
    pub uncommitted_changes: Option<bool>,
    /// How long the whole run took, Python's part included.
    pub duration_s: f64,
    /// The 1, 5 and 15 minute load averages as the run started and ended.
    pub load_average: LoadAverage,
    /// Versions of the crates the models use, from Cargo.lock.
    pub crates: BTreeMap<String, String>,
    pub machine: Machine,
    pub settings: RustSettings,
    pub limits: Limits,
    pub echo_server: EchoServer,
    pub cpu: Vec<CpuRow>,
    pub scaling: Vec<Curve>,
    pub io: Vec<IoRow>,
    pub cost: Vec<CostRow>,
    pub python: PythonSide,
    /// Every sample, as it was taken: `(group, repetition, model or unit)`.
    pub run_log: Vec<(String, u32, String)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadAverage {
    pub start: Option<[f64; 3]>,
    pub end: Option<[f64; 3]>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Machine {
    pub build: String,
    pub cores: u32,
    pub cpu: String,
    pub kernel: Option<String>,
    pub memory_mib: u64,
    pub os: String,
    pub rustc: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RustSettings {
    pub prime_limit: u64,
    pub primes_expected: u64,
    /// Samples of every figure.
    pub repetitions: u32,
    pub io_counts: Vec<u64>,
    pub wait_ms: u64,
    pub io_budget_s: u64,
    pub thread_spawns: u64,
    pub process_spawns: u64,
    pub task_spawns: u64,
    pub threads_alive: u64,
    pub processes_alive: u64,
    pub tasks_alive: u64,
    /// What is timed and what is not, in words.
    pub set_up: String,
    /// How the order of the models changes between repetitions, in words.
    pub order: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    pub threads: Limit,
    pub processes: Limit,
    /// The processes the system would allow before the memory budget.
    pub processes_unbudgeted: Limit,
    pub sockets: Limit,
    pub memory_budget_bytes: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    /// None: no limit found.
    pub max: Option<u64>,
    pub reason: String,
}

/// What decides how many connections can wait for the echo server.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EchoServer {
    pub listen_backlog: u32,
    pub somaxconn: Option<u64>,
    pub tcp_max_syn_backlog: Option<u64>,
    pub tcp_syncookies: Option<u64>,
}

/// The samples of one figure: the median, the smallest and the largest, in
/// the unit that ends their keys.
pub trait Samples {
    fn median(&self) -> f64;
    fn min(&self) -> f64;
    fn max(&self) -> f64;
    fn samples(&self) -> &[f64];
}

macro_rules! samples_in {
    ($name:ident, $median:ident, $min:ident, $max:ident, $samples:ident) => {
        #[derive(Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            pub $median: f64,
            pub $min: f64,
            pub $max: f64,
            pub $samples: Vec<f64>,
        }

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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CpuRow {
    pub model: String,
    pub workers: u32,
    pub primes: u64,
    pub time: Seconds,
    /// The sequential median over this model's median.
    pub speedup: f64,
}

/// One model's speedup with 1, 2, ... workers.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Curve {
    pub model: String,
    pub points: Vec<Point>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Point {
    pub workers: u32,
    pub time: Seconds,
    pub speedup: f64,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct IoRow {
    pub model: String,
    pub workload: String,
    pub n: u64,
    /// How many ran: fewer than `n` under a cap, 0 when skipped.
    pub n_run: u64,
    pub note: Option<String>,
    /// None when skipped.
    pub time: Option<Seconds>,
    /// For requests: how much the kernel's TCP counters grew in each sample.
    pub tcp: Option<TcpSamples>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct TcpSamples {
    /// TcpExt ListenOverflows: SYNs dropped on a full accept queue.
    pub listen_overflows: Vec<u64>,
    /// TcpExt TCPSynRetrans: SYNs and SYN-ACKs sent again.
    pub syn_retransmits: Vec<u64>,
    /// Sockets in TIME_WAIT as each sample started (None: unreadable).
    pub time_wait_before: Vec<Option<u64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostRow {
    pub unit: String,
    pub spawns: u64,
    pub spawn_join: Micros,
    /// Units alive at once while the memory was measured (0: not measured).
    pub alive: u64,
    /// PSS + page tables + kernel stacks per unit (the processes chapter's
    /// metric); None for units with no memory of their own.
    pub memory: Option<Bytes>,
}

/// What `python/bench.py` printed, or why it did not run.
pub enum PythonSide {
    Ran(Box<PythonResults>),
    Skipped { skipped: String },
}

/// Read by hand rather than `untagged`, so that a wrong key in the Python
/// results is named in the error instead of "no variant matched".
impl<'de> Deserialize<'de> for PythonSide {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        if let Some(reason) = value.get("skipped") {
            let skipped = reason
                .as_str()
                .ok_or_else(|| serde::de::Error::custom("`skipped` is not a string"))?;
            return Ok(PythonSide::Skipped {
                skipped: skipped.to_string(),
            });
        }
        PythonResults::deserialize(value)
            .map(|results| PythonSide::Ran(Box::new(results)))
            .map_err(|e| serde::de::Error::custom(format!("python: {e}")))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PythonResults {
    pub python: String,
    pub implementation: String,
    pub executable: String,
    /// Whether this CPython was built free-threaded (Py_GIL_DISABLED)...
    pub free_threaded_build: bool,
    /// ...and whether the GIL was on while it ran (sys._is_gil_enabled).
    pub gil_enabled: bool,
    /// Free-threaded interpreters found on the PATH (python3.13t...).
    pub free_threaded_on_path: Vec<String>,
    /// multiprocessing's start method: fork, forkserver or spawn.
    pub start_method: String,
    pub settings: PythonSettings,
    pub cpu: Vec<CpuRow>,
    pub scaling: Vec<Curve>,
    pub io: Vec<IoRow>,
    pub cost: Vec<CostRow>,
    /// Every sample, as it was taken: `[group, repetition, model or unit]`.
    pub run_log: Vec<(String, u32, String)>,
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
    pub repetitions: u32,
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
    pub repetitions: u32,
    pub io_counts: &'a [u64],
    pub run_log: &'a [(String, u32, String)],
    pub cpu: &'a [CpuRow],
    pub scaling: &'a [Curve],
    pub io: &'a [IoRow],
    pub cost: &'a [CostRow],
}

impl Results {
    pub fn rust_side(&self) -> Side<'_> {
        Side {
            name: "Rust",
            prime_limit: self.settings.prime_limit,
            primes_expected: self.settings.primes_expected,
            repetitions: self.settings.repetitions,
            io_counts: &self.settings.io_counts,
            run_log: &self.run_log,
            cpu: &self.cpu,
            scaling: &self.scaling,
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
            repetitions: self.settings.repetitions,
            io_counts: &self.settings.io_counts,
            run_log: &self.run_log,
            cpu: &self.cpu,
            scaling: &self.scaling,
            io: &self.io,
            cost: &self.cost,
        }
    }
}
