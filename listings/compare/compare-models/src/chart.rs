//! SVG charts drawn from a results file, with plotters' SVG backend.
//! Everything drawn comes from the file, in the file's order: the same
//! file gives the same bytes.

use super::*;
use plotters::prelude::*;

const WIDTH: u32 = 760;
const RUST_COLOR: RGBColor = RGBColor(183, 65, 14);
const PYTHON_COLOR: RGBColor = RGBColor(48, 105, 152);
/// One colour per kind of model, the same for Rust and Python: Python's
/// asyncio shares the colour of tokio's single-threaded runtime.
fn series_color(model: &str) -> RGBColor {
    match model {
        "threads" | "threading" => RGBColor(183, 65, 14),
        "rayon-pool" => RGBColor(230, 145, 56),
        "processes" | "multiprocessing" => RGBColor(106, 61, 154),
        "tokio-tasks" => RGBColor(31, 120, 80),
        "tokio-current-thread" | "asyncio" => RGBColor(100, 180, 60),
        "spawn-blocking" => RGBColor(200, 40, 120),
        _ => RGBColor(110, 110, 110),
    }
}

fn error(e: impl std::fmt::Display) -> String {
    format!("cannot draw a chart: {e}")
}

fn field<'a>(value: &'a Value, key: &str) -> Result<&'a Value, String> {
    value
        .get(key)
        .ok_or_else(|| format!("the results have no `{key}`"))
}

fn number(value: &Value, key: &str) -> Result<f64, String> {
    field(value, key)?
        .as_f64()
        .ok_or_else(|| format!("`{key}` is not a number"))
}

fn text<'a>(value: &'a Value, key: &str) -> Result<&'a str, String> {
    field(value, key)?
        .as_str()
        .ok_or_else(|| format!("`{key}` is not a string"))
}

fn rows<'a>(value: &'a Value, key: &str) -> Result<&'a [Value], String> {
    field(value, key)?
        .as_array()
        .map(Vec::as_slice)
        .ok_or_else(|| format!("`{key}` is not a list"))
}

/// Python's part of the results, unless it was skipped.
fn python(results: &Value) -> Option<&Value> {
    results.get("python").filter(|p| p.get("skipped").is_none())
}

/// One bar: its label, value and colour.
type Bar = (String, f64, RGBColor);

/// Horizontal bars, one per row, labelled on the left.
fn bar_chart(
    title: &str,
    axis: &str,
    bars: &[Bar],
    log_scale: bool,
    mark: Option<(f64, &str)>,
) -> Result<String, String> {
    let mut svg = String::new();
    let height = 90 + 28 * bars.len() as u32;
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(error)?;
        let largest = bars.iter().map(|b| b.1).fold(0.0, f64::max);
        let count = bars.len();
        let labels = |y: &f64| {
            let index = y.round();
            if (y - index).abs() < 1e-6 && index >= 0.0 && (index as usize) < count {
                bars[count - 1 - index as usize].0.clone()
            } else {
                String::new()
            }
        };
        let y_range = -0.5..count as f64 - 0.5;
        let mut builder = ChartBuilder::on(&root);
        builder
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(190);
        // Draws the bars on either kind of x axis.
        macro_rules! draw {
            ($chart:expr, $low:expr) => {{
                let mut chart = $chart;
                chart
                    .configure_mesh()
                    .disable_y_mesh()
                    .y_labels(count + 1)
                    .y_label_formatter(&labels)
                    .x_desc(axis)
                    .x_label_formatter(&|x| axis_number(*x))
                    .label_style(("sans-serif", 13))
                    .draw()
                    .map_err(error)?;
                chart
                    .draw_series(bars.iter().enumerate().map(|(i, (_, value, color))| {
                        let y = (count - 1 - i) as f64;
                        Rectangle::new([($low, y - 0.35), (*value, y + 0.35)], color.filled())
                    }))
                    .map_err(error)?;
                chart
                    .draw_series(bars.iter().enumerate().map(|(i, (_, value, _))| {
                        let y = (count - 1 - i) as f64;
                        Text::new(
                            format!(" {}", axis_number(*value)),
                            (*value, y + 0.2),
                            ("sans-serif", 12),
                        )
                    }))
                    .map_err(error)?;
                if let Some((x, label)) = mark {
                    chart
                        .draw_series(std::iter::once(PathElement::new(
                            vec![(x, -0.5), (x, count as f64 - 0.5)],
                            BLACK.mix(0.45).stroke_width(2),
                        )))
                        .map_err(error)?;
                    chart
                        .draw_series(std::iter::once(Text::new(
                            format!(" {label}"),
                            (x, count as f64 - 0.6),
                            ("sans-serif", 12),
                        )))
                        .map_err(error)?;
                }
            }};
        }
        if log_scale {
            let low = bars.iter().map(|b| b.1).fold(f64::MAX, f64::min) / 3.0;
            let chart = builder
                .build_cartesian_2d((low..largest * 6.0).log_scale(), y_range)
                .map_err(error)?;
            draw!(chart, low);
        } else {
            let right = largest.max(mark.map_or(0.0, |m| m.0)) * 1.25;
            let chart = builder
                .build_cartesian_2d(0.0..right, y_range)
                .map_err(error)?;
            draw!(chart, 0.0);
        }
        root.present().map_err(error)?;
    }
    Ok(svg)
}

/// Short, stable numbers for axes and bar ends: 0.0125, 1.98, 2000, 3.5e6.
fn axis_number(x: f64) -> String {
    let size = x.abs();
    if size == 0.0 {
        "0".to_string()
    } else if size >= 1e5 {
        format!("{x:.1e}")
    } else if size >= 100.0 {
        format!("{x:.0}")
    } else if size >= 10.0 {
        format!("{x:.1}")
    } else if size >= 0.01 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}")
    }
}

fn cpu_speedup(results: &Value) -> Result<String, String> {
    let mut bars = Vec::new();
    for row in rows(results, "cpu")? {
        let label = format!("Rust {}", text(row, "model")?);
        bars.push((label, number(row, "speedup")?, RUST_COLOR));
    }
    if let Some(python) = python(results) {
        for row in rows(python, "cpu")? {
            let label = format!("Python {}", text(row, "model")?);
            bars.push((label, number(row, "speedup")?, PYTHON_COLOR));
        }
    }
    let cores = number(field(results, "machine")?, "cores")?;
    bar_chart(
        "CPU-bound: speedup over sequential (prime count)",
        "times as fast as one thread of the same language",
        &bars,
        false,
        Some((cores, "cores")),
    )
}

/// Time for N concurrent waits, one line per model, log-log.
fn io_chart(results: &Value, workload: &str, title: &str) -> Result<String, String> {
    let mut series: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
    let mut add =
        |label: String, n: f64, seconds: f64| match series.iter_mut().find(|(l, _)| *l == label) {
            Some((_, points)) => points.push((n, seconds)),
            None => series.push((label, vec![(n, seconds)])),
        };
    let mut collect = |prefix: &str, list: &[Value]| -> Result<(), String> {
        for row in list.iter().filter(|r| r["workload"] == workload) {
            if let Some(seconds) = row["seconds"].as_f64() {
                let label = format!("{prefix} {}", text(row, "model")?);
                add(label, number(row, "n_run")?, seconds);
            }
        }
        Ok(())
    };
    collect("Rust", rows(results, "io")?)?;
    if let Some(python) = python(results) {
        collect("Python", rows(python, "io")?)?;
    }
    let points = series.iter().flat_map(|(_, p)| p.iter());
    let (mut low, mut high) = (f64::MAX, 0.0f64);
    let (mut fewest, mut most) = (f64::MAX, 0.0f64);
    for &(n, seconds) in points {
        low = low.min(seconds);
        high = high.max(seconds);
        fewest = fewest.min(n);
        most = most.max(n);
    }
    if series.is_empty() {
        return Err(format!("no {workload} measurements in the results"));
    }
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 480)).into_drawing_area();
        root.fill(&WHITE).map_err(error)?;
        let (plot, legend) = root.split_horizontally(WIDTH - 200);
        let mut chart = ChartBuilder::on(&plot)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(
                (fewest / 1.5..most * 1.5).log_scale(),
                (low / 1.5..high * 1.5).log_scale(),
            )
            .map_err(error)?;
        chart
            .configure_mesh()
            .x_desc("concurrent waits (log scale)")
            .y_desc("wall time, seconds (log scale)")
            .x_label_formatter(&|x| axis_number(*x))
            .y_label_formatter(&|y| axis_number(*y))
            .label_style(("sans-serif", 13))
            .draw()
            .map_err(error)?;
        for (index, (label, points)) in series.iter().enumerate() {
            let (language, model) = label.split_once(' ').unwrap_or(("", label));
            let color = series_color(model);
            // Rust: thick lines, hollow circles; Python: thin, filled squares.
            let python = language == "Python";
            let style = color.stroke_width(if python { 1 } else { 2 });
            // The legend, beside the plot where it hides no point.
            let y = 50 + 20 * index as i32;
            chart
                .draw_series(std::iter::once(PathElement::new(points.clone(), style)))
                .map_err(error)?;
            let square = |point| {
                EmptyElement::at(point) + Rectangle::new([(-3, -3), (3, 3)], color.filled())
            };
            let circle =
                |point| EmptyElement::at(point) + Circle::new((0, 0), 3, color.stroke_width(2));
            if python {
                chart
                    .draw_series(points.iter().map(|&p| square(p)))
                    .map_err(error)?;
                let square = Rectangle::new([(19, y - 3), (25, y + 3)], color.filled());
                legend.draw(&square).map_err(error)?;
            } else {
                chart
                    .draw_series(points.iter().map(|&p| circle(p)))
                    .map_err(error)?;
                let circle = Circle::new((22, y), 3, color.stroke_width(2));
                legend.draw(&circle).map_err(error)?;
            }
            legend
                .draw(&PathElement::new(vec![(8, y), (36, y)], style))
                .map_err(error)?;
            legend
                .draw(&Text::new(label.clone(), (44, y - 7), ("sans-serif", 12)))
                .map_err(error)?;
        }
        root.present().map_err(error)?;
    }
    Ok(svg)
}

fn cost_chart(results: &Value, key: &str, title: &str, axis: &str) -> Result<String, String> {
    let mut bars = Vec::new();
    for row in rows(results, "cost")? {
        if let Some(value) = row[key].as_f64().filter(|v| *v > 0.0) {
            bars.push((format!("Rust {}", text(row, "unit")?), value, RUST_COLOR));
        }
    }
    if let Some(python) = python(results) {
        for row in rows(python, "cost")? {
            if let Some(value) = row[key].as_f64().filter(|v| *v > 0.0) {
                bars.push((
                    format!("Python {}", text(row, "unit")?),
                    value,
                    PYTHON_COLOR,
                ));
            }
        }
    }
    if bars.is_empty() {
        return Err(format!("no `{key}` in the results' cost rows"));
    }
    bar_chart(title, axis, &bars, true, None)
}

/// Writes every chart into `dir`; returns their file names.
pub fn write_all(results: &Value, dir: &Path) -> Result<Vec<&'static str>, String> {
    let charts = [
        ("cpu-speedup.svg", cpu_speedup(results)?),
        (
            "io-sleep.svg",
            io_chart(results, "sleep", "I/O-bound: N concurrent timer sleeps")?,
        ),
        (
            "io-tcp.svg",
            io_chart(
                results,
                "tcp",
                "I/O-bound: N concurrent requests to a slow echo server",
            )?,
        ),
        (
            "cost-spawn.svg",
            cost_chart(
                results,
                "spawn_join_us",
                "Cost per unit: spawn and join one",
                "microseconds (log scale)",
            )?,
        ),
        (
            "cost-memory.svg",
            cost_chart(
                results,
                "memory_bytes",
                "Cost per unit: resident memory while alive",
                "bytes (log scale)",
            )?,
        ),
    ];
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut names = Vec::new();
    for (name, svg) in charts {
        let file = dir.join(name);
        std::fs::write(&file, svg).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
        names.push(name);
    }
    Ok(names)
}
