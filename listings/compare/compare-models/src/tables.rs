//! The chapter's tables, and the sentences that depend on the run (the
//! machine, the Python build, what the TCP counters showed), written from a
//! results file into `tables.md` beside the charts: the page includes them
//! by anchor, so that every figure in them is the file's, as the run
//! recorded it, and a new run rewrites them.

use super::*;
use chart::{Stat, rows, sides, stat, title};

fn time_cell(stat: Stat) -> String {
    report::time_spread(stat.median, stat.min, stat.max)
}

pub fn count(n: f64) -> String {
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

/// A table between mdBook anchor comments named `anchor`.
fn table(out: &mut String, anchor: &str, header: &[&str], body: &[Vec<String>], legend: &str) {
    writeln!(out, "<!-- ANCHOR: {anchor} -->").unwrap();
    writeln!(out, "| {} |", header.join(" | ")).unwrap();
    let align: Vec<&str> = (0..header.len())
        .map(|i| if i == 0 { "---" } else { "---:" })
        .collect();
    writeln!(out, "| {} |", align.join(" | ")).unwrap();
    for row in body {
        writeln!(out, "| {} |", row.join(" | ")).unwrap();
    }
    // A blank line ends the table: a line of text right after it would be
    // read as one more row.
    writeln!(out, "\n{legend}").unwrap();
    writeln!(out, "<!-- ANCHOR_END: {anchor} -->").unwrap();
}

/// A figure's samples, in the order they were taken: one per repetition.
fn samples(time: &Value) -> Vec<f64> {
    samples_in(time, "samples_s")
}

/// The samples under `key`: `samples_s`, `samples_us` or `samples_bytes`.
fn samples_in(figure: &Value, key: &str) -> Vec<f64> {
    figure[key]
        .as_array()
        .map(|values| values.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default()
}

/// `1.93x (1.62–1.98)`: the median and the range of `ratios`, each marked
/// `*` when it is above `workers`, a speedup no model can reach.
fn ratio_cell(ratios: &[f64], workers: f64) -> String {
    let spread = Spread {
        samples: ratios.to_vec(),
    };
    format!(
        "{}x ({}–{})",
        flagged(spread.median(), workers),
        flagged(spread.min(), workers),
        flagged(spread.max(), workers)
    )
}

/// `2.03*` for a speedup above `workers` as written (noise), `1.98` otherwise.
fn flagged(ratio: f64, workers: f64) -> String {
    let shown = format!("{ratio:.2}");
    let above = shown.parse::<f64>().is_ok_and(|r| r > workers);
    format!("{shown}{}", if above { "*" } else { "" })
}

/// How far apart two groups must be, as a share of the smallest sample.
const GAP: f64 = 0.05;

/// Two groups of samples with a gap between them. Sorted, the largest step
/// from one sample to the next must be at least twice every other step, and
/// more than `GAP` (5%) of the smallest sample, with at least two samples on
/// each side. Evenly spread samples have no such step, however wide the
/// spread, and one slow sample is an outlier, not a group. Returns the two
/// groups' ranges.
pub fn two_groups(samples: &[f64]) -> Option<((f64, f64), (f64, f64))> {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let step = |i: usize| sorted[i] - sorted[i - 1];
    let cut = (2..n.saturating_sub(1)).max_by(|&a, &b| step(a).total_cmp(&step(b)))?;
    let gap = step(cut);
    let alone = (1..n).filter(|&i| i != cut).all(|i| gap >= 2.0 * step(i));
    (gap > GAP * sorted[0] && alone)
        .then(|| ((sorted[0], sorted[cut - 1]), (sorted[cut], sorted[n - 1])))
}

/// A spread is wide when the largest sample is more than this many times
/// the smallest.
const WIDE: f64 = 1.2;

/// How a figure's samples spread, beyond what its min–max shows. A row can
/// be both: two groups far apart are also a wide spread.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Shape {
    /// Two groups with a gap between them (`two_groups`): marked `†`.
    pub two_groups: bool,
    /// The largest is more than `WIDE` times the smallest: marked `‡`.
    pub wide: bool,
}

pub fn shape(samples: &[f64]) -> Shape {
    let min = samples.iter().copied().fold(f64::MAX, f64::min);
    let max = samples.iter().copied().fold(0.0, f64::max);
    Shape {
        two_groups: two_groups(samples).is_some(),
        wide: min > 0.0 && max > WIDE * min,
    }
}

/// The marks one table uses, so that the legend under it explains those
/// and no others.
#[derive(Default)]
struct Marks {
    two_groups: bool,
    wide: bool,
}

impl Marks {
    /// `cell` with the mark its samples call for.
    fn mark(&mut self, cell: String, samples: &[f64]) -> String {
        let shape = shape(samples);
        self.two_groups |= shape.two_groups;
        self.wide |= shape.wide;
        format!(
            "{cell}{}{}",
            if shape.two_groups { "†" } else { "" },
            if shape.wide { "‡" } else { "" }
        )
    }

    /// The legend: what each mark used in the table means.
    fn legend(&self) -> String {
        let mut text = String::new();
        if self.two_groups {
            text.push_str(
                "† Samples in two groups: sorted, the gap between the groups is at \
                 least twice every other step from one sample to the next and over 5% \
                 of the smallest, with two samples or more on each side. The median \
                 depends on how many fell in each. ",
            );
        }
        if self.wide {
            write!(
                text,
                "‡ The largest sample is over {WIDE} times the smallest: the median \
                 is rough. "
            )
            .unwrap();
        }
        if text.is_empty() {
            text = format!(
                "In every row the largest sample is within {WIDE} times the smallest, \
                 and no row's samples fall in two groups."
            );
        }
        text.trim_end().to_string()
    }
}

/// The CPU table. Each speedup pairs the samples of one repetition, which
/// ran minutes apart at most: sequential's time over the model's. The last
/// column is the fastest sequential sample over the model's fastest: a busy
/// machine only ever adds time, so the fastest samples are the least
/// disturbed.
fn cpu(out: &mut String, results: &Value) -> Result<(), String> {
    let cores = number(&results["machine"], "cores")?;
    let (mut body, mut marks) = (Vec::new(), Marks::default());
    for (language, side) in sides(results) {
        let cpu_rows = rows(side, "cpu")?;
        let sequential = samples(&cpu_rows.first().ok_or("no CPU rows")?["time"]);
        for row in cpu_rows {
            let time = stat(&row["time"], "s")?;
            let paired: Vec<f64> = sequential
                .iter()
                .zip(samples(&row["time"]))
                .map(|(s, m)| s / m)
                .collect();
            let fastest = sequential.iter().copied().fold(f64::MAX, f64::min) / time.min;
            let workers = number(row, "workers")?;
            let model = name(row, "model")?;
            let limit = report::parallel_limit(&model, workers as usize) as f64;
            body.push(vec![
                title(language, &model),
                runs_on(&model, workers),
                marks.mark(time_cell(time), &samples(&row["time"])),
                ratio_cell(&paired, limit),
                format!("{}x", flagged(fastest, limit)),
            ]);
        }
    }
    let paired = format!("speedup on {cores} cores, paired by repetition: median (min–max)");
    table(
        out,
        "cpu",
        &[
            "model",
            "runs on",
            "wall time: median (min–max)",
            &paired,
            "fastest over fastest",
        ],
        &body,
        &marks.legend(),
    );
    Ok(())
}

/// What a CPU row's `workers` are, in the model's own terms: the count
/// is split into `workers` shares (or, for rayon, into blocks its pool
/// shares out), but the tasks of an event loop on one thread take turns
/// there, and CPython's threads take turns holding the GIL.
fn runs_on(model: &str, workers: f64) -> String {
    let plural = |n: f64, one: &str, many: &str| {
        if n == 1.0 {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    };
    let threads = plural(workers, "thread", "threads");
    match model {
        "sequential" => "1 thread".to_string(),
        "rayon-pool" => format!("a pool of {threads}"),
        "processes" => plural(workers, "process", "processes"),
        "multiprocessing" => format!("a pool of {}", plural(workers, "process", "processes")),
        "tokio-tasks" => format!(
            "{}, {}",
            plural(workers, "task", "tasks"),
            plural(workers, "worker thread", "worker threads")
        ),
        "tokio-current-thread" | "asyncio" => {
            format!("{}, 1 thread", plural(workers, "task", "tasks"))
        }
        "spawn-blocking" => format!("{threads} of the blocking pool"),
        "threading" => format!("{threads}, one GIL"),
        _ => threads,
    }
}

fn scaling(out: &mut String, results: &Value) -> Result<(), String> {
    let cores = number(&results["machine"], "cores")? as usize;
    let mut header = vec![format!("model, on {cores} cores")];
    // Only the last column reuses the CPU table's samples, so only its
    // ratios pair by repetition (`scaling_point`).
    header.extend((1..=cores).map(|w| {
        let kind = if w == cores { "paired" } else { "unpaired" };
        format!("{w} worker{}, {kind}", if w == 1 { "" } else { "s" })
    }));
    let (mut body, mut marks) = (Vec::new(), Marks::default());
    for (language, side) in sides(results) {
        for curve in rows(side, "scaling")? {
            let model = name(curve, "model")?;
            let mut cells = vec![title(language, &model)];
            for point in rows(curve, "points")? {
                let speedup = scaling_point(side, &model, point)?;
                let workers = number(point, "workers")?;
                let cell = format!(
                    "{}x ({}–{})",
                    flagged(speedup.median, workers),
                    flagged(speedup.min, workers),
                    flagged(speedup.max, workers)
                );
                cells.push(marks.mark(cell, &samples(&point["time"])));
            }
            body.push(cells);
        }
    }
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let legend = format!(
        "Paired: the CPU table's ratios, one per repetition. Unpaired: measured \
         without the sequential count, so sequential's median over the model's \
         median (and over its largest and smallest time). {}",
        marks.legend()
    );
    table(out, "scaling", &header, &body, &legend);
    Ok(())
}

/// The speedup of one point of a scaling curve, with its spread. The point
/// that reuses the CPU table's samples shows the CPU table's figure: the
/// median and range of the ratios paired by repetition. The other points
/// were measured in a group without the sequential count, so they have
/// nothing to pair with: the sequential median over the point's median,
/// largest and smallest time.
pub fn scaling_point(side: &Value, model: &str, point: &Value) -> Result<Stat, String> {
    let same_samples = rows(side, "cpu")?.iter().any(|row| {
        row["model"] == model
            && row["workers"] == point["workers"]
            && samples(&row["time"]) == samples(&point["time"])
    });
    if same_samples {
        let ratios = Spread {
            samples: paired(side, model).unwrap_or_default(),
        };
        return Ok(Stat {
            median: ratios.median(),
            min: ratios.min(),
            max: ratios.max(),
        });
    }
    let speedup = number(point, "speedup")?;
    let time = stat(&point["time"], "s")?;
    let baseline = speedup * time.median;
    Ok(Stat {
        median: speedup,
        min: baseline / time.max,
        max: baseline / time.min,
    })
}

/// The largest number of waits: every model, sleeps and requests.
fn io(out: &mut String, results: &Value) -> Result<(), String> {
    let most = rows(&results["settings"], "io_counts")?
        .iter()
        .filter_map(Value::as_f64)
        .fold(0.0, f64::max);
    let mut marks = Marks::default();
    let mut cell = |row: &Value| -> Result<String, String> {
        if row["time"].is_null() {
            return Ok("skipped".to_string());
        }
        let time = marks.mark(time_cell(stat(&row["time"], "s")?), &samples(&row["time"]));
        let ran = number(row, "n_run")?;
        Ok(if ran < number(row, "n")? {
            // Per wait, so that runs of different sizes compare.
            let each = stat(&row["time"], "s")?.median / ran;
            format!("{time}, {} ran, {} each", count(ran), report::time(each))
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
    let legend = format!("{} {}", marks.legend(), charted(results, most)?);
    table(
        out,
        "io",
        &["model", &sleeps, &requests],
        &body,
        legend.trim_end(),
    );
    Ok(())
}

/// The models that start one thread or task per wait and run every N.
const ONE_PER_WAIT: [&str; 5] = [
    "threads",
    "tokio-tasks",
    "tokio-current-thread",
    "threading",
    "asyncio",
];

/// `59.4`, or `0.74` below one: a time in microseconds, with no unit.
fn micros(seconds: f64) -> String {
    let us = seconds * 1e6;
    if us >= 1.0 {
        format!("{us:.1}")
    } else {
        format!("{us:.2}")
    }
}

/// The time above one wait, per wait: (median - wait) / N, for the models
/// that start one thread or task per wait. A whole run's extra time, shared
/// out, so that runs of different sizes and waits of other lengths compare.
fn per_wait(out: &mut String, results: &Value) -> Result<(), String> {
    let wait = number(&results["settings"], "wait_ms")? / 1e3;
    let counts: Vec<f64> = rows(&results["settings"], "io_counts")?
        .iter()
        .filter_map(Value::as_f64)
        .collect();
    let mut body = Vec::new();
    for (language, side) in sides(results) {
        let io_rows = rows(side, "io")?;
        for model in ONE_PER_WAIT {
            let mut line = vec![title(language, model)];
            for workload in ["sleep", "tcp"] {
                for &n in &counts {
                    let Some(row) = io_rows.iter().find(|r| {
                        r["model"] == model
                            && r["workload"] == workload
                            && r["n"].as_f64() == Some(n)
                    }) else {
                        continue;
                    };
                    line.push(if row["time"].is_null() || number(row, "n_run")? < n {
                        "–".to_string()
                    } else {
                        micros((stat(&row["time"], "s")?.median - wait) / n)
                    });
                }
            }
            if line.len() > 1 {
                body.push(line);
            }
        }
    }
    let mut header = vec!["model".to_string()];
    for workload in ["sleeps", "requests"] {
        for &n in &counts {
            header.push(format!("{} {workload}", count(n)));
        }
    }
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let legend = format!(
        "Microseconds per wait: the median time of N waits of {} ms at once, less one wait, \
         divided by N.",
        count(wait * 1e3)
    );
    table(out, "per-wait", &header, &body, &legend);
    Ok(())
}

/// The I/O rows that only the charts show (fewer waits than the table's
/// `most`) whose samples fall in two groups or spread widely, by model:
/// `Rust, processes (100 and 1,000 sleeps)`.
fn charted(results: &Value, most: f64) -> Result<String, String> {
    let (mut grouped, mut wide) = (Vec::new(), Vec::new());
    for (language, side) in sides(results) {
        let io_rows = rows(side, "io")?;
        let mut models: Vec<&str> = Vec::new();
        for row in io_rows {
            let model = row["model"].as_str().unwrap_or("");
            if !models.contains(&model) {
                models.push(model);
            }
        }
        for model in models {
            // Per shape, per workload: the numbers of waits.
            let mut found: [[Vec<String>; 2]; 2] = Default::default();
            for (w, workload) in ["sleep", "tcp"].iter().enumerate() {
                for row in io_rows.iter().filter(|r| {
                    r["model"] == model
                        && r["workload"] == *workload
                        && !r["time"].is_null()
                        && r["n"].as_f64().is_some_and(|n| n < most)
                }) {
                    let n = count(number(row, "n_run")?);
                    let shape = shape(&samples(&row["time"]));
                    if shape.two_groups {
                        found[0][w].push(n.clone());
                    }
                    if shape.wide {
                        found[1][w].push(n);
                    }
                }
            }
            for (list, [sleeps, requests]) in [&mut grouped, &mut wide].into_iter().zip(found) {
                let parts: Vec<String> = [(sleeps, "sleeps"), (requests, "requests")]
                    .into_iter()
                    .filter(|(ns, _)| !ns.is_empty())
                    .map(|(ns, what)| format!("{} {what}", and_list(&ns)))
                    .collect();
                if !parts.is_empty() {
                    list.push(format!("{} ({})", title(language, model), parts.join(", ")));
                }
            }
        }
    }
    let mut text = String::new();
    if !grouped.is_empty() {
        write!(
            text,
            "In the charts' smaller runs, samples fell in two groups for {}.",
            grouped.join("; ")
        )
        .unwrap();
    }
    if !wide.is_empty() {
        let lead = if grouped.is_empty() {
            " In the charts' smaller runs, the"
        } else {
            " The"
        };
        write!(
            text,
            "{lead} largest sample was over {WIDE} times the smallest for {}.",
            wide.join("; ")
        )
        .unwrap();
    }
    Ok(text.trim_start().to_string())
}

/// `100`, `100 and 1,000`, `1, 2 and 3`.
fn and_list(items: &[String]) -> String {
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// The TCP counters beside the time of every request run.
fn tcp(out: &mut String, results: &Value) -> Result<(), String> {
    let (mut body, mut marks) = (Vec::new(), Marks::default());
    for (language, side) in sides(results) {
        for row in rows(side, "io")?.iter().filter(|r| r["workload"] == "tcp") {
            let Some(counters) = row.get("tcp").filter(|t| !t.is_null()) else {
                continue;
            };
            let counted = |key: &str| -> Result<String, String> {
                let samples: Vec<f64> = counters[key]
                    .as_array()
                    .map(|values| values.iter().filter_map(Value::as_f64).collect())
                    .unwrap_or_default();
                if samples.is_empty() {
                    return Ok("–".to_string());
                }
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
                marks.mark(time_cell(stat(&row["time"], "s")?), &samples(&row["time"])),
                counted("listen_overflows")?,
                counted("syn_retransmits")?,
                counted("time_wait_before")?,
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
            "TIME_WAIT at start (network namespace)",
        ],
        &body,
        &marks.legend(),
    );
    Ok(())
}

fn cost(out: &mut String, results: &Value) -> Result<(), String> {
    let (mut body, mut marks) = (Vec::new(), Marks::default());
    for (language, side) in sides(results) {
        for row in rows(side, "cost")? {
            let spawn = stat(&row["spawn_join"], "us")?;
            let memory = if row["memory"].is_null() {
                "(a pool thread)".to_string()
            } else {
                let m = stat(&row["memory"], "bytes")?;
                let cell = report::bytes_spread(m.median, m.min, m.max);
                marks.mark(cell, &samples_in(&row["memory"], "samples_bytes"))
            };
            let spawned = report::time_spread(spawn.median / 1e6, spawn.min / 1e6, spawn.max / 1e6);
            body.push(vec![
                title(language, &name(row, "unit")?),
                marks.mark(spawned, &samples_in(&row["spawn_join"], "samples_us")),
                memory,
            ]);
        }
    }
    table(
        out,
        "cost",
        &["unit", "spawn + join", "memory while alive"],
        &body,
        &marks.legend(),
    );
    Ok(())
}

/// A paragraph between mdBook anchor comments named `anchor`.
fn paragraph(out: &mut String, anchor: &str, text: &str) {
    writeln!(
        out,
        "<!-- ANCHOR: {anchor} -->\n{text}\n<!-- ANCHOR_END: {anchor} -->"
    )
    .unwrap();
}

fn text_of<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key].as_str().unwrap_or("unknown")
}

/// Where, when, from what and how long: the run's provenance, in words.
fn machine(out: &mut String, results: &Value) -> Result<(), String> {
    let machine = &results["machine"];
    let commit = text_of(results, "commit");
    let changes = if results["uncommitted_changes"] == true {
        " (with changes not yet committed)"
    } else {
        ""
    };
    let crates = &results["crates"];
    let python = match chart::python(results) {
        Some(python) => format!(
            "and CPython {} for the Python side",
            text_of(python, "python")
        ),
        None => format!(
            "and no Python side ({})",
            text_of(&results["python"], "skipped")
        ),
    };
    // One decimal, as the page's prose quotes it.
    let minutes = number(results, "duration_s")? / 60.0;
    // The 1-, 5- and 15-minute load averages: the longer ones tell whether
    // the machine was busy before the run started.
    let load = |when: &str| -> Option<String> {
        let values = results["load_average"][when].as_array()?;
        let values: Option<Vec<String>> = values
            .iter()
            .map(|v| v.as_f64().map(|v| format!("{v:.2}")))
            .collect();
        let (last, first) = values?
            .split_last()
            .map(|(l, f)| (l.clone(), f.join(", ")))?;
        Some(format!("{first} and {last}"))
    };
    let load = match (load("start"), load("end")) {
        (Some(start), Some(end)) => format!(
            " The load average over 1, 5 and 15 minutes was {start} as it started and {end} \
             as it ended (from `/proc/loadavg`; the file records no load per sample)."
        ),
        _ => String::new(),
    };
    let text = format!(
        "The figures below come from one run of `{}` on {}, from commit `{}`{changes}, \
         on {} with {} cores, {} GiB of memory, {}, Linux {}, with {}, tokio {}, rayon {} \
         {python}. The run took about {minutes:.1} minutes.{load}",
        text_of(results, "command"),
        text_of(results, "date")
            .split('T')
            .next()
            .unwrap_or("an unknown day"),
        commit.get(..12).unwrap_or(commit),
        text_of(machine, "cpu"),
        number(machine, "cores")?,
        (number(machine, "memory_mib")? / 1024.0).round(),
        text_of(machine, "os"),
        text_of(machine, "kernel"),
        text_of(machine, "rustc"),
        text_of(crates, "tokio"),
        text_of(crates, "rayon"),
    );
    paragraph(out, "machine", &text);
    Ok(())
}

/// Which CPython ran, and whether it could run threads in parallel.
fn interpreter(out: &mut String, results: &Value) {
    let Some(python) = chart::python(results) else {
        paragraph(
            out,
            "python",
            "Python did not run, so this page has no Python figures.",
        );
        return;
    };
    let version = text_of(python, "python");
    let minor: u32 = version
        .split('.')
        .nth(1)
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    let build = if python["free_threaded_build"] == true {
        "a free-threaded build (`Py_GIL_DISABLED` is 1 in `sysconfig`)"
    } else {
        "a build with the GIL (`sysconfig.get_config_var(\"Py_GIL_DISABLED\")` is not set)"
    };
    let running = if minor >= 13 {
        format!(
            "`sys._is_gil_enabled()` returned {} while it ran",
            if python["gil_enabled"] == true {
                "True"
            } else {
                "False"
            }
        )
    } else {
        "it is older than 3.13, which added `sys._is_gil_enabled()`".to_string()
    };
    // Only the interpreter that ran: what else a machine has installed
    // says nothing about the figures.
    let unmeasured = if minor < 13 {
        " CPython 3.13 and later, including their free-threaded builds, were not \
         measured in this run."
    } else {
        ""
    };
    let text = format!(
        "**Every Python figure in these tables comes from CPython {version}**: \
         {build}; {running}.{unmeasured} Its `multiprocessing` starts processes with \
         the `{}` method.",
        text_of(python, "start_method")
    );
    paragraph(out, "python", &text);
}

/// What the TCP counters say about the request runs, in words.
fn tcp_summary(out: &mut String, results: &Value) -> Result<(), String> {
    let (mut samples, mut overflowed, mut retried) = (0, Vec::new(), Vec::new());
    for (language, side) in sides(results) {
        for row in rows(side, "io")?.iter().filter(|r| r["workload"] == "tcp") {
            let Some(counters) = row.get("tcp").filter(|t| !t.is_null()) else {
                continue;
            };
            let largest = |key: &str| {
                counters[key]
                    .as_array()
                    .map(|values| values.iter().filter_map(Value::as_u64).collect::<Vec<_>>())
                    .unwrap_or_default()
            };
            let (overflows, retries) = (largest("listen_overflows"), largest("syn_retransmits"));
            samples += overflows.len();
            let run = format!(
                "{} with {} requests",
                title(language, &name(row, "model")?),
                count(number(row, "n_run")?)
            );
            let grew = |values: &[u64]| values.iter().filter(|v| **v > 0).count();
            if grew(&overflows) > 0 {
                let most = overflows.iter().max().copied().unwrap_or(0);
                overflowed.push(format!(
                    "{run} ({} of its samples, up to {} a sample)",
                    grew(&overflows),
                    count(most as f64)
                ));
            }
            if grew(&retries) > 0 {
                retried.push(run);
            }
        }
    }
    let text = match (overflowed.is_empty(), retried.is_empty()) {
        (true, true) => format!(
            "In all {samples} samples of requests, ListenOverflows and TCPSynRetrans \
             stayed at 0: the accept queue never overflowed, and no SYN was sent again."
        ),
        _ => format!(
            "Of {samples} samples of requests, ListenOverflows grew in: {}; and \
             TCPSynRetrans in: {}.",
            if overflowed.is_empty() {
                "none".to_string()
            } else {
                overflowed.join("; ")
            },
            if retried.is_empty() {
                "none".to_string()
            } else {
                retried.join("; ")
            },
        ),
    };
    paragraph(out, "tcp-summary", &text);
    Ok(())
}

/// Each repetition's sequential time over `model`'s, in `side`.
pub fn paired(side: &Value, model: &str) -> Option<Vec<f64>> {
    let cpu_rows = rows(side, "cpu").ok()?;
    let sequential = samples(&cpu_rows.first()?["time"]);
    let row = cpu_rows.iter().find(|r| r["model"] == model)?;
    Some(
        sequential
            .iter()
            .zip(samples(&row["time"]))
            .map(|(s, m)| s / m)
            .collect(),
    )
}

/// What in the CPU table is noise, in words.
fn cpu_summary(out: &mut String, results: &Value) -> Result<(), String> {
    let cores = number(&results["machine"], "cores")?;
    let mut text = String::new();
    cpu_noise(&mut text, results, cores)?;
    paragraph(out, "cpu-summary", text.trim_start());
    Ok(())
}

/// What in the CPU table is noise, or two groups rather than one spread.
fn cpu_noise(text: &mut String, results: &Value, cores: f64) -> Result<(), String> {
    let (mut above, mut grouped) = (Vec::new(), Vec::new());
    for (language, side) in sides(results) {
        for row in rows(side, "cpu")? {
            let model = name(row, "model")?;
            let workers = number(row, "workers")?;
            let limit = report::parallel_limit(&model, workers as usize) as f64;
            let ratios = paired(side, &model).unwrap_or_default();
            if ratios.iter().any(|r| flagged(*r, limit).ends_with('*')) {
                above.push(title(language, &model));
            }
            if let Some(((a, b), (c, d))) = two_groups(&samples(&row["time"])) {
                grouped.push(format!(
                    "{} ({} and {})",
                    title(language, &model),
                    report::time_range(a, b),
                    report::time_range(c, d)
                ));
            }
        }
    }
    if !above.is_empty() {
        write!(
            text,
            " A ratio marked * is above the number of threads that can compute at once \
             (the workers, or one for an event loop on one thread), which no model can \
             reach: it is noise from the machine, not a speedup ({}).",
            above.join("; ")
        )
        .unwrap();
    }
    if !grouped.is_empty() {
        write!(
            text,
            " The rows marked † fall in these two groups: {}.",
            grouped.join("; ")
        )
        .unwrap();
    }
    // The Rust side: the fastest sequential sample over each parallel
    // model's fastest.
    let cpu_rows = rows(results, "cpu")?;
    let best = samples(&cpu_rows.first().ok_or("no CPU rows")?["time"])
        .into_iter()
        .fold(f64::MAX, f64::min);
    let fastest: Vec<f64> = cpu_rows
        .iter()
        .filter(|r| Model::SCALABLE.iter().any(|m| r["model"] == m.name()))
        .filter_map(|r| Some(best / stat(&r["time"], "s").ok()?.min))
        .collect();
    if !fastest.is_empty() {
        let low = fastest.iter().copied().fold(f64::MAX, f64::min);
        let high = fastest.iter().copied().fold(0.0, f64::max);
        write!(
            text,
            " Fastest over fastest, the Rust models that run the count on {cores} threads \
             or processes reached {low:.2}x to {high:.2}x on {cores} cores."
        )
        .unwrap();
    }
    Ok(())
}

/// A cap's reason as the program words it now. Results files of format 2
/// wrote the memory cap as "a quarter of MemAvailable (5,838 MiB) at ...",
/// which reads as if MemAvailable were 5,838 MiB; the figure is the quarter.
pub fn reworded(note: &str) -> String {
    let Some((before, rest)) = note.split_once("a quarter of MemAvailable (") else {
        return note.to_string();
    };
    match rest.split_once(" MiB) at ") {
        Some((mib, after)) => {
            format!("{before}{mib} MiB, a quarter of MemAvailable, at {after}")
        }
        None => note.to_string(),
    }
}

/// Which runs were capped, and why, in words.
fn caps(out: &mut String, results: &Value) -> Result<(), String> {
    let mut capped: Vec<String> = Vec::new();
    for (language, side) in sides(results) {
        for row in rows(side, "io")? {
            let Some(note) = row["note"].as_str().filter(|n| n.starts_with("capped")) else {
                continue;
            };
            let line = format!(
                "{}, {}",
                title(language, &name(row, "model")?),
                reworded(note)
            );
            if !capped.contains(&line) {
                capped.push(line);
            }
        }
    }
    let text = if capped.is_empty() {
        "No run was capped: every model ran every number of waits it was asked for.".to_string()
    } else {
        format!("Capped in this run: {}.", capped.join("; "))
    };
    paragraph(out, "caps", &text);
    Ok(())
}

/// `tables.md`: every table the chapter shows, each under its anchor.
pub fn write(results: &Value) -> Result<String, String> {
    let mut out = String::from(
        "<!-- Written by compare-models from results.json (--full, or --charts-from): \
         do not edit. Each table is included by its anchor. -->\n",
    );
    machine(&mut out, results)?;
    interpreter(&mut out, results);
    cpu(&mut out, results)?;
    cpu_summary(&mut out, results)?;
    scaling(&mut out, results)?;
    io(&mut out, results)?;
    per_wait(&mut out, results)?;
    caps(&mut out, results)?;
    tcp(&mut out, results)?;
    tcp_summary(&mut out, results)?;
    cost(&mut out, results)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_groups_needs_a_gap_and_two_samples_on_each_side() {
        // rayon's CPU row: a gap of 9.7 ms, the other steps 0.5 ms or less.
        let rayon = [57.5, 57.0, 68.0, 67.1, 57.1];
        assert_eq!(two_groups(&rayon), Some(((57.0, 57.5), (67.1, 68.0))));
        // One slow sample is an outlier, not a second group.
        assert_eq!(two_groups(&[57.2, 65.2, 57.2, 56.9, 57.1]), None);
        // A spread with no gap over 5%.
        assert_eq!(two_groups(&[58.1, 57.3, 57.1, 57.0, 58.6]), None);
    }

    #[test]
    fn a_wide_spread_with_no_lone_gap_is_not_two_groups() {
        // Rust thread start: the step 40.5 to 44.2 is smaller than the
        // step 44.8 to 49.0 inside the upper "group".
        let thread = [37.9, 40.5, 44.2, 44.8, 49.0];
        assert_eq!(two_groups(&thread), None);
        assert_eq!(
            shape(&thread),
            Shape {
                two_groups: false,
                wide: true
            }
        );
        // Python process start: evenly spread, steps of 4% to 8%.
        assert_eq!(two_groups(&[2.12, 2.20, 2.37, 2.54, 2.65]), None);
        // spawn_blocking calls: 1.81 times from smallest to largest, and
        // steps that grow without a lone gap. It shows ‡.
        let calls = [16.2, 16.8, 22.6, 25.6, 29.3];
        assert_eq!(
            shape(&calls),
            Shape {
                two_groups: false,
                wide: true
            }
        );
    }

    #[test]
    fn a_spread_is_two_groups_wide_both_or_neither() {
        let shown = |samples: &[f64]| {
            let mut marks = Marks::default();
            marks.mark(String::new(), samples)
        };
        assert_eq!(shown(&[57.5, 57.0, 68.0, 67.1, 57.1]), "†");
        // No gap, but the largest is 1.25 times the smallest.
        assert_eq!(shown(&[1.0, 1.04, 1.08, 1.12, 1.25]), "‡");
        // A lone gap and a wide spread: both marks.
        assert_eq!(shown(&[1.0, 1.01, 1.3, 1.31, 1.32]), "†‡");
        assert_eq!(shown(&[1.0, 1.01, 1.02, 1.03, 1.05]), "");
    }

    /// A time figure as `Spread::to_json` writes it.
    fn time(samples: &[f64]) -> Value {
        let spread = Spread {
            samples: samples.to_vec(),
        };
        serde_json::json!({"samples_s": samples, "median_s": spread.median(),
                           "min_s": spread.min(), "max_s": spread.max()})
    }

    #[test]
    fn the_per_wait_table_shares_the_time_above_one_wait_out_over_n() {
        let row = |workload: &str, model: &str, n: u32, n_run: u32, seconds: f64| {
            serde_json::json!({"workload": workload, "model": model, "n": n, "n_run": n_run,
                               "time": time(&[seconds]), "note": null})
        };
        let results = serde_json::json!({
            "settings": {"io_counts": [100, 10000], "wait_ms": 100},
            "io": [
                row("sleep", "threads", 100, 100, 0.106),
                row("tcp", "threads", 100, 100, 0.11),
                row("sleep", "threads", 10000, 10000, 0.9),
                row("tcp", "threads", 10000, 9000, 1.0),
                row("sleep", "tokio-tasks", 10000, 10000, 0.1074),
                row("sleep", "processes", 100, 100, 0.2),
            ],
        });
        let mut out = String::new();
        per_wait(&mut out, &results).unwrap();
        // (0.106 - 0.1) / 100 s is 60 µs; a capped run has no figure.
        assert!(
            out.contains("| Rust, scoped threads | 60.0 | 80.0 | 100.0 | – |"),
            "{out}"
        );
        // Below one microsecond, two decimals.
        assert!(
            out.contains("| Rust, tokio, multi-thread | 0.74 |"),
            "{out}"
        );
        // Only the models with one thread or task per wait.
        assert!(!out.contains("processes"), "{out}");
        assert!(out.contains("waits of 100 ms at once"), "{out}");
    }

    #[test]
    fn the_io_and_tcp_tables_mark_and_explain_their_noisy_rows() {
        let (grouped, wide, narrow) = (
            time(&[1.0, 1.01, 1.1, 1.11, 1.12]),
            time(&[1.0, 1.04, 1.08, 1.12, 1.25]),
            time(&[1.0, 1.0, 1.0, 1.0, 1.0]),
        );
        let row = |workload: &str, model: &str, n: u32, time: &Value| {
            serde_json::json!({"workload": workload, "model": model, "n": n, "n_run": n,
                               "time": time, "note": null,
                               "tcp": {"listen_overflows": [0], "syn_retransmits": [0],
                                       "time_wait_before": [0]}})
        };
        let results = serde_json::json!({
            "settings": {"io_counts": [100, 10000]},
            "io": [
                row("sleep", "threads", 100, &grouped),
                row("tcp", "threads", 100, &wide),
                row("sleep", "threads", 10000, &narrow),
                row("tcp", "threads", 10000, &grouped),
            ],
        });
        let mut out = String::new();
        io(&mut out, &results).unwrap();
        assert!(
            out.contains("| Rust, scoped threads | 1.00 s (1.00–1.00) | 1.10 s (1.00–1.12)† |")
        );
        assert!(out.contains("\n\n† Samples in two groups"), "{out}");
        assert!(!out.contains("‡ The largest"), "{out}");
        // The runs only the charts show are named, with their kind of spread.
        assert!(
            out.contains("two groups for Rust, scoped threads (100 sleeps)."),
            "{out}"
        );
        assert!(
            out.contains("smallest for Rust, scoped threads (100 requests)."),
            "{out}"
        );

        let mut out = String::new();
        tcp(&mut out, &results).unwrap();
        assert!(out.contains("| 100 | 1.08 s (1.00–1.25)‡ |"), "{out}");
        assert!(out.contains("| 10,000 | 1.10 s (1.00–1.12)† |"), "{out}");
        assert!(out.contains("† Samples") && out.contains("‡ The largest"));
    }

    #[test]
    fn the_cost_table_marks_its_noisy_rows_and_a_quiet_table_says_so() {
        let micros = |samples: &[f64]| {
            let spread = Spread {
                samples: samples.to_vec(),
            };
            serde_json::json!({"samples_us": samples, "median_us": spread.median(),
                               "min_us": spread.min(), "max_us": spread.max()})
        };
        let results = serde_json::json!({"cost": [
            {"unit": "thread", "spawn_join": micros(&[37.9, 40.5, 44.2, 44.8, 49.0]),
             "memory": null},
        ]});
        let mut out = String::new();
        cost(&mut out, &results).unwrap();
        assert!(
            out.contains("| Rust, thread | 44.2 µs (37.9–49.0)‡ |"),
            "{out}"
        );
        assert!(!out.contains('†'), "{out}");
        assert!(out.contains("‡ The largest sample"), "{out}");

        let quiet = serde_json::json!({"cost": [
            {"unit": "thread", "spawn_join": micros(&[44.0, 44.1, 44.2, 44.3, 44.4]),
             "memory": null},
        ]});
        let mut out = String::new();
        cost(&mut out, &quiet).unwrap();
        assert!(!out.contains('†') && !out.contains('‡'), "{out}");
        assert!(
            out.contains("In every row the largest sample is within"),
            "{out}"
        );
    }

    #[test]
    fn a_speedup_above_the_workers_is_flagged_as_written() {
        assert_eq!(flagged(2.03, 2.0), "2.03*");
        assert_eq!(flagged(2.001, 2.0), "2.00");
        assert_eq!(flagged(1.98, 2.0), "1.98");
        assert_eq!(ratio_cell(&[1.97, 1.89, 2.03], 2.0), "1.97x (1.89–2.03*)");
    }

    #[test]
    fn the_cpu_table_says_what_each_model_runs_on() {
        assert_eq!(runs_on("sequential", 1.0), "1 thread");
        assert_eq!(runs_on("threads", 2.0), "2 threads");
        assert_eq!(runs_on("tokio-tasks", 2.0), "2 tasks, 2 worker threads");
        assert_eq!(runs_on("tokio-current-thread", 2.0), "2 tasks, 1 thread");
        assert_eq!(runs_on("asyncio", 4.0), "4 tasks, 1 thread");
        assert_eq!(runs_on("processes", 1.0), "1 process");
    }

    #[test]
    fn the_memory_cap_says_which_figure_is_the_quarter() {
        assert_eq!(
            reworded(
                "capped at 3,559 (a quarter of MemAvailable (5,838 MiB) at 1,679 KiB per process)"
            ),
            "capped at 3,559 (5,838 MiB, a quarter of MemAvailable, at 1,679 KiB per process)"
        );
        let new = "capped at 9 (5,838 MiB, a quarter of MemAvailable, at 1 KiB per process)";
        assert_eq!(reworded(new), new);
    }

    #[test]
    fn the_scaling_point_at_the_cpu_tables_workers_is_the_cpu_tables_figure() {
        let side = serde_json::json!({
            "cpu": [
                {"model": "sequential", "workers": 1, "time": {"samples_s": [4.0, 2.0, 3.0]}},
                {"model": "threads", "workers": 2, "time": {"samples_s": [2.0, 2.0, 1.0]}},
            ],
        });
        let point = |workers: u32, samples: [f64; 3]| {
            serde_json::json!({
                "workers": workers,
                "speedup": 3.0 / samples[1],
                "time": {"samples_s": samples, "median_s": samples[1],
                         "min_s": samples[0], "max_s": samples[2]},
            })
        };
        // The CPU table's samples: the ratios 2, 1 and 3 paired by repetition,
        // where the medians alone would give 3.0 / 2.0.
        let same = scaling_point(&side, "threads", &point(2, [2.0, 2.0, 1.0])).unwrap();
        assert_eq!((same.median, same.min, same.max), (2.0, 1.0, 3.0));
        // Another group: nothing to pair with, the sequential median over the
        // point's median, largest and smallest time.
        let other = scaling_point(&side, "threads", &point(1, [2.0, 3.0, 6.0])).unwrap();
        assert_eq!((other.median, other.min, other.max), (1.0, 0.5, 1.5));
    }
}
