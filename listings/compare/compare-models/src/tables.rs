//! The chapter's tables, written from a results file into `tables.md`
//! beside the charts: the page includes them by anchor, so that every
//! figure in them is the file's, as the run recorded it.

use super::*;
use chart::{Stat, rows, sides, stat, title};

fn time_cell(stat: Stat) -> String {
    report::time_spread(stat.median, stat.min, stat.max)
}

fn count(n: f64) -> String {
    let digits = format!("{}", n.round() as u64);
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

fn number(value: &Value, key: &str) -> Result<f64, String> {
    value[key]
        .as_f64()
        .ok_or_else(|| format!("`{key}` is not a number"))
}

fn name(value: &Value, key: &str) -> Result<String, String> {
    value[key]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("`{key}` is not a string"))
}

/// A table between `<!-- ANCHOR: name -->` lines.
fn table(out: &mut String, anchor: &str, header: &[&str], body: &[Vec<String>]) {
    writeln!(out, "<!-- ANCHOR: {anchor} -->").unwrap();
    writeln!(out, "| {} |", header.join(" | ")).unwrap();
    let align: Vec<&str> = (0..header.len())
        .map(|i| if i == 0 { "---" } else { "---:" })
        .collect();
    writeln!(out, "| {} |", align.join(" | ")).unwrap();
    for row in body {
        writeln!(out, "| {} |", row.join(" | ")).unwrap();
    }
    writeln!(out, "<!-- ANCHOR_END: {anchor} -->").unwrap();
}

fn cpu(out: &mut String, results: &Value) -> Result<(), String> {
    let mut body = Vec::new();
    for (language, side) in sides(results) {
        for row in rows(side, "cpu")? {
            body.push(vec![
                title(language, &name(row, "model")?),
                time_cell(stat(&row["time"], "s")?),
                format!("{:.2}x", number(row, "speedup")?),
            ]);
        }
    }
    table(
        out,
        "cpu",
        &["model", "wall time: median (min–max)", "speedup"],
        &body,
    );
    Ok(())
}

fn scaling(out: &mut String, results: &Value) -> Result<(), String> {
    let cores = number(&results["machine"], "cores")? as usize;
    let mut header = vec!["model".to_string()];
    header.extend((1..=cores).map(|w| format!("{w} worker{}", if w == 1 { "" } else { "s" })));
    let mut body = Vec::new();
    for (language, side) in sides(results) {
        for curve in rows(side, "scaling")? {
            let mut cells = vec![title(language, &name(curve, "model")?)];
            for point in rows(curve, "points")? {
                cells.push(format!("{:.2}x", number(point, "speedup")?));
            }
            body.push(cells);
        }
    }
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    table(out, "scaling", &header, &body);
    Ok(())
}

/// The largest number of waits: every model, sleeps and requests.
fn io(out: &mut String, results: &Value) -> Result<(), String> {
    let most = rows(&results["settings"], "io_counts")?
        .iter()
        .filter_map(Value::as_f64)
        .fold(0.0, f64::max);
    let cell = |row: &Value| -> Result<String, String> {
        if row["time"].is_null() {
            return Ok("skipped".to_string());
        }
        let time = time_cell(stat(&row["time"], "s")?);
        let ran = number(row, "n_run")?;
        Ok(if ran < number(row, "n")? {
            format!("{time}, {} ran", count(ran))
        } else {
            time
        })
    };
    let mut body = Vec::new();
    for (language, side) in sides(results) {
        let largest: Vec<&Value> = rows(side, "io")?
            .iter()
            .filter(|r| r["n"].as_f64() == Some(most))
            .collect();
        let models: Vec<String> = largest
            .iter()
            .filter(|r| r["workload"] == "sleep")
            .map(|r| name(r, "model"))
            .collect::<Result<_, _>>()?;
        for model in models {
            let find = |workload: &str| {
                largest
                    .iter()
                    .find(|r| r["workload"] == workload && r["model"] == model.as_str())
                    .ok_or_else(|| format!("no {workload} row for {model}"))
            };
            body.push(vec![
                title(language, &model),
                cell(find("sleep")?)?,
                cell(find("tcp")?)?,
            ]);
        }
    }
    let sleeps = format!("{} sleeps", count(most));
    let requests = format!("{} requests", count(most));
    table(out, "io", &["model", &sleeps, &requests], &body);
    Ok(())
}

/// The TCP counters beside the time of every request run.
fn tcp(out: &mut String, results: &Value) -> Result<(), String> {
    let mut body = Vec::new();
    for (language, side) in sides(results) {
        for row in rows(side, "io")?.iter().filter(|r| r["workload"] == "tcp") {
            let Some(counters) = row.get("tcp").filter(|t| !t.is_null()) else {
                continue;
            };
            let counted = |key: &str| -> Result<String, String> {
                let samples: Vec<f64> = rows(counters, key)?
                    .iter()
                    .filter_map(Value::as_f64)
                    .collect();
                let spread = Spread { samples };
                Ok(format!(
                    "{} ({}–{})",
                    count(spread.median()),
                    count(spread.min()),
                    count(spread.max())
                ))
            };
            body.push(vec![
                title(language, &name(row, "model")?),
                count(number(row, "n_run")?),
                time_cell(stat(&row["time"], "s")?),
                counted("listen_overflows")?,
                counted("syn_retransmits")?,
            ]);
        }
    }
    table(
        out,
        "tcp",
        &[
            "model",
            "requests",
            "wall time",
            "ListenOverflows",
            "TCPSynRetrans",
        ],
        &body,
    );
    Ok(())
}

fn cost(out: &mut String, results: &Value) -> Result<(), String> {
    let mut body = Vec::new();
    for (language, side) in sides(results) {
        for row in rows(side, "cost")? {
            let spawn = stat(&row["spawn_join"], "us")?;
            let memory = if row["memory"].is_null() {
                "(a pool thread)".to_string()
            } else {
                let m = stat(&row["memory"], "bytes")?;
                report::bytes_spread(m.median, m.min, m.max)
            };
            body.push(vec![
                title(language, &name(row, "unit")?),
                report::time_spread(spawn.median / 1e6, spawn.min / 1e6, spawn.max / 1e6),
                memory,
            ]);
        }
    }
    table(
        out,
        "cost",
        &["unit", "spawn + join", "memory while alive"],
        &body,
    );
    Ok(())
}

/// `tables.md`: every table the chapter shows, each under its anchor.
pub fn write(results: &Value) -> Result<String, String> {
    let mut out = String::from(
        "<!-- Written by compare-models from results.json (--full, or --charts-from): \
         do not edit. Each table is included by its anchor. -->\n",
    );
    cpu(&mut out, results)?;
    scaling(&mut out, results)?;
    io(&mut out, results)?;
    tcp(&mut out, results)?;
    cost(&mut out, results)?;
    Ok(out)
}
