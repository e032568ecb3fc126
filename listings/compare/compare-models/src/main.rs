//! The same workloads under every concurrency model, measured side by side.
//!
//! * `compare-models` runs a quick version (small sizes, three samples of
//!   each figure) and prints the tables: it checks every answer, but its
//!   timings mean little.
//! * `compare-models --full [--out DIR]` runs the real suite (use a release
//!   build; five samples of each figure), prints progress on stderr, and
//!   writes `DIR/results.json`, the SVG charts and `tables.md`, the tables
//!   the chapter includes (DIR defaults to `compare-results`). When
//!   `python3` is on the PATH it also runs `python/bench.py`, the same
//!   workloads in CPython.
//! * `compare-models --charts-from RESULTS.json --out DIR` draws the charts
//!   and the tables again from a results file: the same file always gives
//!   the same bytes.

use std::collections::BTreeMap;
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
use serde_json::Value;
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
mod results;
#[cfg(test)]
mod results_tests;
mod runtimes;
mod stats;
mod tables;
mod worker;

use cli::{Mode, parse_args};
use models::{Model, Settings, order};
use runtimes::{Runtimes, join_all, time_after};
use stats::Spread;

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
        Mode::Help => {
            println!("{}\n{}", cli::USAGE, cli::HELP);
            Ok(())
        }
        Mode::Quick => run_benchmark(&Settings::quick(), None, &args),
        Mode::Full { out } => {
            if cfg!(debug_assertions) {
                eprintln!("compare-models: warning: a debug build; measure with --release");
            }
            // Fail now, not after minutes of measuring.
            std::fs::create_dir_all(&out)
                .map_err(|e| format!("cannot create {}: {e}", out.display()))
                .and_then(|()| run_benchmark(&Settings::full(), Some(&out), &args))
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
    draw(&text, out).map_err(|e| format!("{}: {e}", results.display()))
}

/// Draws the charts and the tables from a results file's text, which must
/// follow the schema (a misspelt or missing key is an error).
fn draw(text: &str, out: &Path) -> Result<(), String> {
    results::from_text(text).map_err(|e| format!("not a results file: {e}"))?;
    let results: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    for name in chart::write_all(&results, out)? {
        println!("wrote {}", out.join(name).display());
    }
    Ok(())
}

fn run_benchmark(settings: &Settings, out: Option<&Path>, args: &[String]) -> Result<(), String> {
    let started = Instant::now();
    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    let machine = machine::describe(cores, settings.full);
    // Recorded now, before the run writes anything into the checkout.
    let provenance = out.map(|_| machine::provenance(args));
    let load_at_start = machine::load_average();
    let samples = settings.repetitions;
    if settings.full {
        println!(
            "compare-models: full run on {cores} cores ({}), {samples} samples of each figure",
            machine.cpu
        );
    } else {
        println!(
            "compare-models: quick run on {cores} cores, {samples} samples of each figure; \
             `cargo run --release -p compare-models -- --full` measures for real"
        );
    }
    println!("every figure: median (smallest–largest sample), the models in a new order each time");
    println!("open files: {}", limits::raise_open_files());

    let (cpu_rows, curves) = cpu::measure(settings, cores)?;
    report::print_cpu(settings, cores, &cpu_rows, &curves);

    let cost_rows = cost::measure(settings, cores)?;
    let mut limits = limits::Limits::read();
    let process_memory = cost_rows
        .iter()
        .find(|row| row.unit == "process")
        .and_then(|row| row.memory.as_ref())
        .map_or(0.0, Spread::median);
    limits.budget_processes(process_memory);
    println!("limits: {}", limits.summary());

    let io_rows = io::measure(settings, cores, &limits)?;
    report::print_io(settings, &io_rows);
    report::print_cost(&cost_rows);
    println!(
        "every answer checked: {} primes each time, every echo matched",
        settings.primes_expected
    );

    let (Some(out), Some(provenance)) = (out, provenance) else {
        return Ok(());
    };
    let python = python::run(settings, &limits);
    let sysctl = |name: &str| {
        std::fs::read_to_string(format!("/proc/sys/{name}"))
            .ok()
            .and_then(|text| text.trim().parse::<u64>().ok())
    };
    let environment: BTreeMap<_, _> = [
        "RAYON_NUM_THREADS",
        "TOKIO_WORKER_THREADS",
        "PYTHON_GIL",
        "PYTHONPATH",
    ]
    .into_iter()
    .map(|name| (name.to_string(), env::var(name).ok()))
    .collect();
    let results = results::Results {
        // As the program was started, and the variables that change what
        // the runtimes or Python do (absent ones are null).
        argv: env::args().collect(),
        command: provenance.command,
        commit: provenance.commit,
        cost: cost_rows.iter().map(cost::Row::to_result).collect(),
        cpu: cpu_rows.iter().map(cpu::Row::to_result).collect(),
        crates: provenance.crates,
        date: provenance.date,
        // The whole run, Python's part included, in seconds.
        duration_s: started.elapsed().as_secs_f64().round(),
        // What decides how many connections can wait to be accepted.
        echo_server: results::EchoServer {
            listen_backlog: echo::BACKLOG,
            somaxconn: sysctl("net/core/somaxconn"),
            tcp_max_syn_backlog: sysctl("net/ipv4/tcp_max_syn_backlog"),
            tcp_syncookies: sysctl("net/ipv4/tcp_syncookies"),
        },
        environment,
        format: results::FORMAT,
        io: io_rows.iter().map(io::Row::to_result).collect(),
        limits: limits.to_result(),
        // /proc/loadavg's 1, 5 and 15 minute averages, as the run started
        // and as it ended. Only the start tells how busy the machine was
        // without the benchmark: the end counts the benchmark's own threads
        // and processes of the minutes before it.
        load_average: results::LoadAverage {
            end: machine::load_average(),
            start: load_at_start,
        },
        machine,
        python,
        run_log: models::run_log(),
        scaling: curves.iter().map(cpu::Curve::to_result).collect(),
        settings: recorded_settings(settings),
        uncommitted_changes: provenance.uncommitted_changes,
    };
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let text = results::to_text(&results);
    let file = out.join("results.json");
    std::fs::write(&file, &text).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    println!("wrote {}", file.display());
    // Draw from the file's own text, exactly as --charts-from would.
    draw(&text, out)
}

/// The settings of a run, as results.json records them.
fn recorded_settings(settings: &Settings) -> results::RustSettings {
    results::RustSettings {
        io_budget_s: settings.io_budget.as_secs(),
        io_counts: settings.io_counts.iter().map(|&n| n as u64).collect(),
        order: "each repetition runs the models (and the cost units) in the order that least \
                repeats the places and neighbours of the repetitions before it; run_log \
                records every sample as it was taken"
            .to_string(),
        prime_limit: settings.prime_limit,
        primes_expected: settings.primes_expected as u64,
        process_spawns: settings.process_spawns as u64,
        processes_alive: settings.processes_alive as u64,
        repetitions: settings.repetitions as u32,
        set_up: "not timed, for any model: runtimes, pools and the CPU test's worker \
                 processes are made before the clock starts"
            .to_string(),
        task_spawns: settings.task_spawns as u64,
        tasks_alive: settings.tasks_alive as u64,
        thread_spawns: settings.thread_spawns as u64,
        threads_alive: settings.threads_alive as u64,
        wait_ms: settings.wait.as_millis() as u64,
    }
}
