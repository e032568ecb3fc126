//! The schema of `results.json` (format 2): what `--full` writes and what
//! the book's tests read. One definition for both, so the writer and the
//! reader cannot drift apart.
//!
//! The tests include this file by its path, so it uses nothing of this
//! program but serde. Every struct rejects keys it does not know: a key
//! renamed on one side only is an error, not a silent gap.
//!
//! The fields of each struct are in alphabetical order, which is the order
//! of the keys in the file. The files recorded before this schema existed
//! were written from `serde_json::Value`, whose maps sort their keys; this
//! order keeps writing them byte for byte.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// The format this schema reads and writes.
pub const FORMAT: u32 = 2;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Results {
    /// The program's arguments as it was started...
    pub argv: Vec<String>,
    /// How it was run: `cargo run --release -p compare-models -- --full ...`.
    pub command: String,
    /// The commit checked out, and whether the work tree differed from it.
    pub commit: Option<String>,
    pub cost: Vec<CostRow>,
    pub cpu: Vec<CpuRow>,
    /// Versions of the crates the models use, from Cargo.lock.
    pub crates: BTreeMap<String, String>,
    /// When the run started, in UTC: `2026-11-27T03:07:40Z`.
    pub date: Option<String>,
    /// How long the whole run took, Python's part included.
    pub duration_s: f64,
    pub echo_server: EchoServer,
    /// ...and the environment variables that change what the models do
    /// (null: not set).
    pub environment: BTreeMap<String, Option<String>>,
    pub format: u32,
    pub io: Vec<IoRow>,
    pub limits: Limits,
    /// The 1, 5 and 15 minute load averages as the run started and ended.
    pub load_average: LoadAverage,
    pub machine: Machine,
    pub python: PythonSide,
    /// Every sample, as it was taken: `(group, repetition, model or unit)`.
    pub run_log: Vec<(String, u32, String)>,
    pub scaling: Vec<Curve>,
    pub settings: RustSettings,
    pub uncommitted_changes: Option<bool>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadAverage {
    pub end: Option<[f64; 3]>,
    pub start: Option<[f64; 3]>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Machine {
    /// `release` or `debug`.
    pub build: String,
    pub cores: u32,
    pub cpu: String,
    pub kernel: Option<String>,
    pub memory_mib: u64,
    pub os: String,
    pub rustc: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RustSettings {
    pub io_budget_s: u64,
    pub io_counts: Vec<u64>,
    /// How the order of the models changes between repetitions, in words.
    pub order: String,
    pub prime_limit: u64,
    pub primes_expected: u64,
    pub process_spawns: u64,
    pub processes_alive: u64,
    /// Samples of every figure.
    pub repetitions: u32,
    /// What is timed and what is not, in words.
    pub set_up: String,
    pub task_spawns: u64,
    pub tasks_alive: u64,
    pub thread_spawns: u64,
    pub threads_alive: u64,
    pub wait_ms: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    pub memory_budget_bytes: i64,
    pub processes: Limit,
    /// The processes the system would allow before the memory budget.
    pub processes_unbudgeted: Limit,
    pub sockets: Limit,
    pub threads: Limit,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    /// None: no limit found.
    pub max: Option<u64>,
    pub reason: String,
}

/// What decides how many connections can wait for the echo server.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EchoServer {
    pub listen_backlog: u32,
    pub somaxconn: Option<u64>,
    pub tcp_max_syn_backlog: Option<u64>,
    pub tcp_syncookies: Option<u64>,
}

/// The samples of one figure in the unit that ends their keys: the
/// largest, the median, the smallest, and every sample in the order taken.
macro_rules! samples_in {
    ($name:ident, $max:ident, $median:ident, $min:ident, $samples:ident) => {
        #[derive(Serialize, Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            pub $max: f64,
            pub $median: f64,
            pub $min: f64,
            pub $samples: Vec<f64>,
        }
    };
}

samples_in!(Seconds, max_s, median_s, min_s, samples_s);
samples_in!(Micros, max_us, median_us, min_us, samples_us);
samples_in!(Bytes, max_bytes, median_bytes, min_bytes, samples_bytes);

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CpuRow {
    pub model: String,
    pub primes: u64,
    /// The sequential median over this model's median.
    pub speedup: f64,
    pub time: Seconds,
    pub workers: u32,
}

/// One model's speedup with 1, 2, ... workers.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Curve {
    pub model: String,
    pub points: Vec<Point>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Point {
    pub speedup: f64,
    pub time: Seconds,
    pub workers: u32,
}

#[derive(Serialize, Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct IoRow {
    pub model: String,
    pub n: u64,
    /// How many ran: fewer than `n` under a cap, 0 when skipped.
    pub n_run: u64,
    pub note: Option<String>,
    /// For requests: how much the kernel's TCP counters grew in each sample.
    pub tcp: Option<TcpSamples>,
    /// None when skipped.
    pub time: Option<Seconds>,
    /// `sleep` or `tcp`.
    pub workload: String,
}

#[derive(Serialize, Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct TcpSamples {
    /// TcpExt ListenOverflows: SYNs dropped on a full accept queue.
    pub listen_overflows: Vec<u64>,
    /// TcpExt TCPSynRetrans: SYNs and SYN-ACKs sent again.
    pub syn_retransmits: Vec<u64>,
    /// Sockets in TIME_WAIT as each sample started (None: unreadable).
    pub time_wait_before: Vec<Option<u64>>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostRow {
    /// Units alive at once while the memory was measured (0: not measured).
    pub alive: u64,
    /// PSS + page tables + kernel stacks per unit (the processes chapter's
    /// metric); None for units with no memory of their own.
    pub memory: Option<Bytes>,
    pub spawn_join: Micros,
    pub spawns: u64,
    pub unit: String,
}

/// What `python/bench.py` printed, or why it did not run. Written as the
/// object itself: `{"skipped": "why"}` or bench.py's results.
#[derive(Serialize)]
#[serde(untagged)]
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

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PythonResults {
    pub cost: Vec<CostRow>,
    pub cpu: Vec<CpuRow>,
    pub executable: String,
    /// Whether this CPython was built free-threaded (Py_GIL_DISABLED)...
    pub free_threaded_build: bool,
    /// Free-threaded interpreters found on the PATH (python3.13t...).
    pub free_threaded_on_path: Vec<String>,
    /// ...and whether the GIL was on while it ran (sys._is_gil_enabled).
    pub gil_enabled: bool,
    pub implementation: String,
    pub io: Vec<IoRow>,
    /// The interpreter's version: `3.11.7`.
    pub python: String,
    /// Every sample, as it was taken: `[group, repetition, model or unit]`.
    pub run_log: Vec<(String, u32, String)>,
    pub scaling: Vec<Curve>,
    pub settings: PythonSettings,
    /// multiprocessing's start method: fork, forkserver or spawn.
    pub start_method: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PythonSettings {
    /// In seconds, as Python counts time.
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
    /// In seconds.
    pub wait: f64,
}

/// Reads a results file's text.
pub fn from_text(text: &str) -> Result<Results, serde_json::Error> {
    serde_json::from_str(text)
}

/// The text of a results file: indented JSON and a final newline.
pub fn to_text(results: &Results) -> String {
    serde_json::to_string_pretty(results).expect("the results hold no map with non-text keys")
        + "\n"
}
