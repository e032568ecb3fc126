//! The tables on stdout, and the formats they share with tables.md.

use super::*;

/// The unit a time is written in: seconds, milliseconds or microseconds,
/// with the decimals each gets.
fn time_unit(seconds: f64) -> (f64, &'static str, usize) {
    if seconds >= 1.0 {
        (1.0, "s", 2)
    } else if seconds >= 1e-3 {
        (1e3, "ms", 1)
    } else if seconds >= 1e-6 {
        (1e6, "µs", 1)
    } else {
        (1e6, "µs", 2)
    }
}

pub fn time(seconds: f64) -> String {
    let (scale, unit, decimals) = time_unit(seconds);
    format!("{:.decimals$} {unit}", seconds * scale)
}

/// `63.2 ms (61.7–65.7)`: the median, then the smallest and largest sample
/// in the median's unit.
pub fn time_spread(median: f64, min: f64, max: f64) -> String {
    let (scale, unit, decimals) = time_unit(median);
    format!(
        "{:.decimals$} {unit} ({:.decimals$}–{:.decimals$})",
        median * scale,
        min * scale,
        max * scale
    )
}

/// `57.0–58.7 ms`: two times in the unit of the larger.
pub fn time_range(low: f64, high: f64) -> String {
    let (scale, unit, decimals) = time_unit(high);
    format!(
        "{:.decimals$}–{:.decimals$} {unit}",
        low * scale,
        high * scale
    )
}

fn bytes_unit(bytes: f64) -> (f64, &'static str, usize) {
    let size = bytes.abs();
    if size >= (1 << 20) as f64 {
        ((1 << 20) as f64, "MiB", 1)
    } else if size >= 1024.0 {
        (1024.0, "KiB", 1)
    } else {
        (1.0, "B", 0)
    }
}

pub fn bytes_spread(median: f64, min: f64, max: f64) -> String {
    let (scale, unit, decimals) = bytes_unit(median);
    format!(
        "{:.decimals$} {unit} ({:.decimals$}–{:.decimals$})",
        median / scale,
        min / scale,
        max / scale
    )
}

fn spread_of(spread: &Spread) -> String {
    time_spread(spread.median(), spread.min(), spread.max())
}

/// `1.57x `, or `2.07x*` for a speedup above the number of workers, which no
/// model can reach: noise (a busy machine, a debug build). The same width
/// either way, so that the columns line up.
fn speedup_cell(speedup: f64, workers: usize) -> String {
    let shown = format!("{speedup:.2}");
    let above = shown.parse::<f64>().is_ok_and(|s| s > workers as f64);
    format!("{shown}x{}", if above { "*" } else { " " })
}

/// How many threads can compute at once for `model` with `workers`
/// workers: one for a single-threaded event loop, whatever it is given.
pub fn parallel_limit(model: &str, workers: usize) -> usize {
    match model {
        "tokio-current-thread" | "asyncio" => 1,
        _ => workers,
    }
}

pub fn print_cpu(settings: &Settings, cores: usize, rows: &[cpu::Row], curves: &[cpu::Curve]) {
    println!(
        "CPU-bound: count the primes below {} ({} of them), {cores} workers on {cores} cores",
        settings.prime_limit, settings.primes_expected
    );
    for row in rows {
        let line = format!(
            "  {:<22}{:>24}  {}",
            row.model.name(),
            spread_of(&row.time),
            speedup_cell(row.speedup, parallel_limit(row.model.name(), row.workers))
        );
        println!("{}", line.trim_end());
    }
    println!("scaling: speedup over sequential with 1 to {cores} workers, on {cores} cores");
    for curve in curves {
        let speedups: String = curve
            .points
            .iter()
            .map(|(workers, _, speedup)| format!("  {:>7}", speedup_cell(*speedup, *workers)))
            .collect();
        let line = format!("  {:<22}{speedups}", curve.model.name());
        println!("{}", line.trim_end());
    }
    println!(
        "* a speedup above the threads that can compute at once: noise, no model can reach it"
    );
}

pub fn print_io(settings: &Settings, rows: &[io::Row]) {
    let mut header = String::new();
    for workload in ["sleep", "tcp"] {
        for count in &settings.io_counts {
            write!(header, "{:>26}", format!("{workload} x{count}")).unwrap();
        }
    }
    println!(
        "I/O-bound: concurrent waits of {} ms (timer; echo server)",
        settings.wait.as_millis()
    );
    println!("  {:<22}{header}", "");
    let mut notes = Vec::new();
    for model in Model::ALL {
        let mut line = format!("  {:<22}", model.name());
        for row in rows.iter().filter(|row| row.model == model) {
            let cell = match (row.ran, row.ran < row.count) {
                (0, _) => "-".to_string(),
                (_, false) => spread_of(&row.time),
                (_, true) => format!("{}*", spread_of(&row.time)),
            };
            write!(line, "{cell:>26}").unwrap();
            if let Some(note) = &row.note {
                notes.push(format!(
                    "  {} {} x{}: {note}",
                    model.name(),
                    row.workload,
                    row.count
                ));
            }
        }
        println!("{line}");
    }
    for note in notes {
        println!("{note}");
    }
}

pub fn print_cost(rows: &[cost::Row]) {
    println!("cost per unit: spawn + join; memory while alive (PSS + page tables + kernel stacks)");
    for row in rows {
        let memory = row.memory.as_ref().map_or("-".to_string(), |m| {
            bytes_spread(m.median(), m.min(), m.max())
        });
        println!(
            "  {:<22}{:>24}{:>26}",
            row.unit,
            spread_of(&Spread {
                samples: row.spawn_join.samples.iter().map(|us| us / 1e6).collect()
            }),
            memory
        );
    }
}
