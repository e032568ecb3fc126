//! The tables on stdout.

use super::*;

pub fn time(duration: Duration) -> String {
    let seconds = duration.as_secs_f64();
    if seconds >= 1.0 {
        format!("{seconds:.2} s")
    } else if seconds >= 1e-3 {
        format!("{:.1} ms", seconds * 1e3)
    } else {
        format!("{:.1} us", seconds * 1e6)
    }
}

pub fn bytes(bytes: i64) -> String {
    let size = bytes.abs() as f64;
    if size >= (1 << 20) as f64 {
        format!("{:.1} MiB", bytes as f64 / (1 << 20) as f64)
    } else if size >= 1024.0 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} B")
    }
}

pub fn print_cpu(settings: &Settings, cores: usize, rows: &[cpu::Row]) {
    println!(
        "CPU-bound: count the primes below {} ({} of them), {cores} workers",
        settings.prime_limit, settings.primes_expected
    );
    for row in rows {
        println!(
            "  {:<22}{:>10}  {:>5.2}x",
            row.model.name(),
            time(row.time),
            row.speedup
        );
    }
}

pub fn print_io(settings: &Settings, rows: &[io::Row]) {
    let mut header = String::new();
    for workload in ["sleep", "tcp"] {
        for count in &settings.io_counts {
            write!(header, "{:>14}", format!("{workload} x{count}")).unwrap();
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
            let cell = match (row.time, row.ran < row.count) {
                (None, _) => "-".to_string(),
                (Some(t), false) => time(t),
                (Some(t), true) => format!("{}*", time(t)),
            };
            write!(line, "{cell:>14}").unwrap();
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
    println!("cost per unit: {:>17}{:>12}", "spawn + join", "memory");
    for row in rows {
        let memory = row.memory_bytes.map_or("-".to_string(), bytes);
        println!(
            "  {:<22}{:>12}{:>12}",
            row.unit,
            time(row.spawn_join),
            memory
        );
    }
}
