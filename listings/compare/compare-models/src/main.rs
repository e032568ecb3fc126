//! The same workloads under every concurrency model, measured side by side.
//!
//! * `compare-models` runs a quick version (small sizes, one repetition) and
//!   prints a table: it checks every answer, but its timings mean little.
//! * `compare-models --full [--out DIR]` runs the real suite (use a release
//!   build), prints progress on stderr, and writes `DIR/results.json` and the
//!   SVG charts (DIR defaults to `compare-results`). When `python3` is on the
//!   PATH it also runs `python/bench.py`, the same workloads in CPython.
//! * `compare-models --charts-from RESULTS.json --out DIR` draws the charts
//!   again from a results file: the same file always gives the same bytes.

use std::env;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitCode, Stdio};
use std::sync::Barrier;
use std::thread;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
use tokio::runtime::Runtime;
use tokio::task::JoinSet;

/// A copy of this program started with this variable set to `worker` or
/// `echo-server` plays that role instead of running the benchmark.
const ROLE_VARIABLE: &str = "COMPARE_MODELS_ROLE";

mod chart;
mod cli;
mod cost;
mod cpu;
mod echo;
mod io;
mod limits;
mod machine;
mod models;
mod python;
mod report;
mod runtimes;
mod worker;

use cli::{Mode, parse_args};
use models::{Model, Settings};
use runtimes::{Runtimes, join_all};

#[cfg(target_os = "linux")]
fn main() -> ExitCode {
    run()
}

#[cfg(not(target_os = "linux"))]
fn main() -> ExitCode {
    println!(
        "compare-models runs on Linux only: it reads /proc for memory, limits and the machine"
    );
    ExitCode::SUCCESS
}

#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn run() -> ExitCode {
    match env::var(ROLE_VARIABLE).as_deref() {
        Ok("worker") => return worker::main(),
        Ok("echo-server") => return echo::server_main(),
        _ => {}
    }
    let args: Vec<String> = env::args().skip(1).collect();
    let mode = match parse_args(&args) {
        Ok(mode) => mode,
        Err(message) => {
            eprintln!("compare-models: {message}");
            return ExitCode::from(2);
        }
    };
    let outcome = match mode {
        Mode::Quick => run_benchmark(&Settings::quick(), None),
        Mode::Full { out } => {
            if cfg!(debug_assertions) {
                eprintln!("compare-models: warning: a debug build; measure with --release");
            }
            // Fail now, not after minutes of measuring.
            std::fs::create_dir_all(&out)
                .map_err(|e| format!("cannot create {}: {e}", out.display()))
                .and_then(|()| run_benchmark(&Settings::full(), Some(&out)))
        }
        Mode::ChartsFrom { results, out } => charts_from(&results, &out),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("compare-models: error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn charts_from(results: &Path, out: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(results)
        .map_err(|e| format!("cannot read {}: {e}", results.display()))?;
    let results: Value = serde_json::from_str(&text)
        .map_err(|e| format!("{} is not JSON: {e}", results.display()))?;
    for name in chart::write_all(&results, out)? {
        println!("wrote {}", out.join(name).display());
    }
    Ok(())
}

fn run_benchmark(settings: &Settings, out: Option<&Path>) -> Result<(), String> {
    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    let runtimes = Runtimes::new(cores)?;
    // rayon starts its pool on first use: not what we measure.
    rayon::broadcast(|_| ());
    let machine = machine::describe(cores, settings.full);
    if settings.full {
        let cpu = machine["cpu"].as_str().unwrap_or("unknown CPU");
        println!("compare-models: full run on {cores} cores ({cpu})");
    } else {
        println!(
            "compare-models: quick run on {cores} cores; \
             `cargo run --release -p compare-models -- --full` measures for real"
        );
    }

    let cpu_rows = cpu::measure(settings, cores, &runtimes)?;
    report::print_cpu(settings, cores, &cpu_rows);

    let cost_rows = cost::measure(settings, &runtimes)?;
    let process_rss = cost_rows
        .iter()
        .find(|row| row.unit == "process")
        .and_then(|row| row.memory_bytes)
        .unwrap_or(0);
    let limits = limits::Limits::read(process_rss);
    println!("limits: {}", limits.summary());

    let io_rows = io::measure(settings, cores, &runtimes, &limits)?;
    report::print_io(settings, &io_rows);
    report::print_cost(&cost_rows);
    println!(
        "every answer checked: {} primes each time, every echo matched",
        settings.primes_expected
    );

    let Some(out) = out else { return Ok(()) };
    let python = python::run(settings, &limits);
    let results = json!({
        "format": 1,
        "command": "cargo run --release -p compare-models -- --full",
        "machine": machine,
        "settings": {
            "prime_limit": settings.prime_limit,
            "primes_expected": settings.primes_expected,
            "cpu_repetitions": settings.cpu_repetitions,
            "io_counts": settings.io_counts,
            "wait_ms": settings.wait.as_millis() as u64,
            "io_budget_s": settings.io_budget.as_secs(),
        },
        "limits": limits.to_json(),
        "cpu": cpu_rows.iter().map(cpu::Row::to_json).collect::<Vec<_>>(),
        "io": io_rows.iter().map(io::Row::to_json).collect::<Vec<_>>(),
        "cost": cost_rows.iter().map(cost::Row::to_json).collect::<Vec<_>>(),
        "python": python,
    });
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let text = serde_json::to_string_pretty(&results).expect("JSON values always serialize") + "\n";
    let file = out.join("results.json");
    std::fs::write(&file, &text).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    println!("wrote {}", file.display());
    // Draw from the file's own text, exactly as --charts-from would.
    let reread: Value = serde_json::from_str(&text).expect("we just wrote this JSON");
    for name in chart::write_all(&reread, out)? {
        println!("wrote {}", out.join(name).display());
    }
    Ok(())
}
