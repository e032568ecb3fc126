//! SVG charts drawn from a results file, with plotters' SVG backend.
//! Everything drawn comes from the file, in the file's order: the same
//! file gives the same bytes.
//!
//! Every model keeps one look in every chart: a colour and a marker shape
//! for its kind (threads, processes, a single-threaded event loop...), and
//! its language in the fill and the line: Rust filled and solid, Python
//! hollow and dashed. The charts are 540 px wide with text of 18 px or
//! more, so that they stay readable scaled down to a phone's width.

use super::*;
use plotters::coord::Shift;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

const WIDTH: u32 = 540;
/// The smallest text, in CSS px (plotters writes a size given it / 1.24).
const TEXT: f64 = 18.0;
const TITLE: f64 = 20.0;
/// Height of one row of a row chart: a line of text, then its bar or dot
/// in a band of its own below the text, which no mark crosses.
const ROW: i32 = 52;
/// Where a row's bar or dot sits, below the row's top.
const BAND: i32 = 37;
/// The distance between two lines of notes under a chart.
const LINE: i32 = 25;

fn error(e: impl std::fmt::Display) -> String {
    format!("cannot draw a chart: {e}")
}

fn font(px: f64) -> TextStyle<'static> {
    ("sans-serif", px * 1.24).into_font().color(&BLACK)
}

fn aligned(px: f64, h: HPos, v: VPos) -> TextStyle<'static> {
    font(px).pos(Pos::new(h, v))
}

fn write(area: &Area, text: &str, at: (i32, i32), style: TextStyle) -> Result<(), String> {
    area.draw(&Text::new(text.to_string(), at, style))
        .map_err(error)
}

/// The notes under a chart, one a line, from `top` down.
fn write_notes(area: &Area, notes: &[impl AsRef<str>], top: i32) -> Result<(), String> {
    for (index, note) in notes.iter().enumerate() {
        write(
            area,
            note.as_ref(),
            (10, top + LINE * index as i32),
            aligned(TEXT, HPos::Left, VPos::Top),
        )?;
    }
    Ok(())
}

// The results file ---------------------------------------------------------

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

pub fn rows<'a>(value: &'a Value, key: &str) -> Result<&'a [Value], String> {
    field(value, key)?
        .as_array()
        .map(Vec::as_slice)
        .ok_or_else(|| format!("`{key}` is not a list"))
}

/// Python's part of the results, unless it was skipped.
pub fn python(results: &Value) -> Option<&Value> {
    results.get("python").filter(|p| p.get("skipped").is_none())
}

/// A median with the smallest and largest sample, as `Spread::to_json`
/// wrote them with `unit`.
#[derive(Clone, Copy)]
pub struct Stat {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

pub fn stat(value: &Value, unit: &str) -> Result<Stat, String> {
    Ok(Stat {
        median: number(value, &format!("median_{unit}"))?,
        min: number(value, &format!("min_{unit}"))?,
        max: number(value, &format!("max_{unit}"))?,
    })
}

/// The name a model or unit has in the tables and on the charts.
pub fn title(language: &str, model: &str) -> String {
    let name = match model {
        "threads" => "scoped threads",
        "rayon-pool" => "rayon",
        "tokio-tasks" => "tokio, multi-thread",
        "tokio-current-thread" => "tokio, current-thread",
        "spawn-blocking" => "spawn_blocking",
        other => other,
    };
    format!("{language}, {name}")
}

/// Each side of the results with its language: Rust, then Python if it ran.
pub fn sides(results: &Value) -> Vec<(&'static str, &Value)> {
    let mut sides = vec![("Rust", results)];
    if let Some(python) = python(results) {
        sides.push(("Python", python));
    }
    sides
}

// How each model looks --------------------------------------------------------

#[derive(Clone, Copy, PartialEq)]
enum Shape {
    Circle,
    Square,
    Triangle,
    Down,
    Diamond,
    Plus,
    Star,
}

#[derive(Clone, Copy)]
struct Look {
    color: RGBColor,
    shape: Shape,
    python: bool,
}

/// Colour and shape by kind of model (colours from the Okabe-Ito palette,
/// which colour-blind readers can tell apart), fill and line by language.
fn look(language: &str, model: &str) -> Look {
    let (color, shape) = match model {
        "threads" | "threading" | "thread" => (RGBColor(213, 94, 0), Shape::Circle),
        "rayon-pool" | "rayon job" => (RGBColor(230, 159, 0), Shape::Triangle),
        "processes" | "multiprocessing" | "process" => (RGBColor(0, 114, 178), Shape::Square),
        "tokio-tasks" | "tokio task" => (RGBColor(0, 158, 115), Shape::Diamond),
        "tokio-current-thread" | "asyncio" | "asyncio task" => {
            (RGBColor(86, 180, 233), Shape::Down)
        }
        "spawn-blocking" | "spawn_blocking call" => (RGBColor(204, 121, 167), Shape::Plus),
        _ => (RGBColor(90, 90, 90), Shape::Star),
    };
    Look {
        color,
        shape,
        python: language == "Python",
    }
}

/// The outline of a shape around (0, 0), in units of the marker's size.
fn outline(shape: Shape) -> Vec<(f64, f64)> {
    match shape {
        Shape::Circle => (0..16)
            .map(|i| {
                let angle = i as f64 * std::f64::consts::TAU / 16.0;
                (angle.cos(), angle.sin())
            })
            .collect(),
        Shape::Square => vec![(-0.9, -0.9), (0.9, -0.9), (0.9, 0.9), (-0.9, 0.9)],
        Shape::Triangle => vec![(0.0, -1.25), (1.15, 0.85), (-1.15, 0.85)],
        Shape::Down => vec![(0.0, 1.25), (1.15, -0.85), (-1.15, -0.85)],
        Shape::Diamond => vec![(0.0, -1.3), (1.3, 0.0), (0.0, 1.3), (-1.3, 0.0)],
        Shape::Plus => {
            let (a, b) = (0.4, 1.2);
            vec![
                (-a, -b),
                (a, -b),
                (a, -a),
                (b, -a),
                (b, a),
                (a, a),
                (a, b),
                (-a, b),
                (-a, a),
                (-b, a),
                (-b, -a),
                (-a, -a),
            ]
        }
        Shape::Star => (0..10)
            .map(|i| {
                let angle = i as f64 * std::f64::consts::PI / 5.0 - std::f64::consts::FRAC_PI_2;
                let radius = if i % 2 == 0 { 1.35 } else { 0.6 };
                (radius * angle.cos(), radius * angle.sin())
            })
            .collect(),
    }
}

/// A marker at a pixel: filled for Rust, white inside for Python.
fn marker(area: &Area, (x, y): (i32, i32), look: Look) -> Result<(), String> {
    const SIZE: f64 = 5.5;
    let points: Vec<(i32, i32)> = outline(look.shape)
        .into_iter()
        .map(|(dx, dy)| {
            (
                x + (dx * SIZE).round() as i32,
                y + (dy * SIZE).round() as i32,
            )
        })
        .collect();
    let fill = if look.python { WHITE } else { look.color };
    area.draw(&Polygon::new(points.clone(), fill.filled()))
        .map_err(error)?;
    let mut closed = points.clone();
    closed.push(points[0]);
    area.draw(&PathElement::new(closed, look.color.stroke_width(2)))
        .map_err(error)
}

/// A line through pixels: solid for Rust, dashed for Python.
fn line(area: &Area, points: Vec<(i32, i32)>, look: Look) -> Result<(), String> {
    let style = look.color.stroke_width(2);
    if look.python {
        area.draw(&DashedPathElement::new(points, 7, 5, style))
            .map_err(error)
    } else {
        area.draw(&PathElement::new(points, style)).map_err(error)
    }
}

/// A whisker from `from` to `to` (pixels), with end caps across it.
fn whisker(area: &Area, from: (i32, i32), to: (i32, i32), color: RGBColor) -> Result<(), String> {
    let style = color.stroke_width(2);
    area.draw(&PathElement::new(vec![from, to], style))
        .map_err(error)?;
    let vertical = from.0 == to.0;
    for (x, y) in [from, to] {
        let cap = if vertical {
            vec![(x - 4, y), (x + 4, y)]
        } else {
            vec![(x, y - 4), (x, y + 4)]
        };
        area.draw(&PathElement::new(cap, style)).map_err(error)?;
    }
    Ok(())
}

/// A legend entry: a short line in the look, its marker, and the label.
fn legend_entry(area: &Area, (x, y): (i32, i32), look: Look, label: &str) -> Result<(), String> {
    line(area, vec![(x, y), (x + 30, y)], look)?;
    marker(area, (x + 15, y), look)?;
    write(
        area,
        label,
        (x + 38, y),
        aligned(TEXT, HPos::Left, VPos::Center),
    )
}

// Axis labels ------------------------------------------------------------------

/// Seconds as a tick label: `10 ms`, `1 s`, `100 ns`.
fn time_label(seconds: f64) -> String {
    let (scale, unit) = if seconds >= 1.0 {
        (1.0, "s")
    } else if seconds >= 1e-3 {
        (1e3, "ms")
    } else if seconds >= 1e-6 {
        (1e6, "µs")
    } else {
        (1e9, "ns")
    };
    format!("{} {unit}", trim(seconds * scale))
}

/// Bytes as a tick label: `100 B`, `1 KiB`, `10 MiB`.
fn bytes_label(bytes: f64) -> String {
    let (scale, unit) = if bytes >= (1 << 20) as f64 {
        ((1 << 20) as f64, "MiB")
    } else if bytes >= 1024.0 {
        (1024.0, "KiB")
    } else {
        (1.0, "B")
    };
    format!("{} {unit}", trim(bytes / scale))
}

/// A tick value without a needless `.0`.
fn trim(x: f64) -> String {
    let rounded = (x * 100.0).round() / 100.0;
    if (rounded - rounded.round()).abs() < 1e-9 {
        format!("{}", rounded.round() as i64)
    } else {
        format!("{rounded}")
    }
}

/// Powers of ten (in seconds or counts) from at most `low` to at least `high`.
fn decades(low: f64, high: f64) -> Vec<f64> {
    let first = low.log10().floor() as i32;
    let last = high.log10().ceil() as i32;
    (first..=last).map(|e| 10f64.powi(e)).collect()
}

/// `100 B`, `1 KiB`, `10 KiB`...: a tick per decade, in binary units.
fn byte_decades(low: f64, high: f64) -> Vec<f64> {
    let ticks = [
        10.0,
        100.0,
        1024.0,
        10240.0,
        102400.0,
        1048576.0,
        10485760.0,
        104857600.0,
        1073741824.0,
    ];
    let first = ticks.iter().rposition(|&t| t <= low).unwrap_or(0);
    let last = ticks
        .iter()
        .position(|&t| t >= high)
        .unwrap_or(ticks.len() - 1);
    ticks[first..=last].to_vec()
}

/// Ticks at multiples of a round step, from 0 to at least `high`.
fn linear_ticks(high: f64) -> Vec<f64> {
    let step = [0.5, 1.0, 2.0, 4.0, 5.0, 10.0, 20.0]
        .into_iter()
        .find(|step| high / step <= 6.0)
        .unwrap_or(50.0);
    let count = (high / step).ceil() as usize;
    (0..=count).map(|i| i as f64 * step).collect()
}

// Row charts: one row per model, a line of text above its bar or dot ----------

/// One x axis of a row chart.
enum Scale {
    /// Bars from 0, on a linear axis, with a dashed line at `mark`.
    Bars { mark: Option<f64> },
    /// Dots with whiskers, on a log axis with these ticks.
    Dots { ticks: Vec<f64> },
}

struct Panel {
    heading: String,
    scale: Scale,
    label: fn(f64) -> String,
    /// One value per row, in the rows' order (None: no dot or bar).
    values: Vec<Option<Stat>>,
}

struct RowLabel {
    text: String,
    look: Look,
}

/// A chart of `rows`, with one panel beside the other, each with its own x
/// axis; each row's text spans the width above its bars and dots.
fn row_chart(
    title: &str,
    rows: &[RowLabel],
    panels: &[Panel],
    notes: &[String],
) -> Result<String, String> {
    let top = 62;
    let axis = 50;
    let count = rows.len() as i32;
    let height = (top + count * ROW + axis + 8 + LINE * notes.len() as i32 + 6) as u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(error)?;
        write(
            &root,
            title,
            (WIDTH as i32 / 2, 8),
            aligned(TITLE, HPos::Center, VPos::Top),
        )?;
        let gap = 20;
        let width = (WIDTH as i32 - 20 - gap * (panels.len() as i32 - 1)) / panels.len() as i32;
        for (index, panel) in panels.iter().enumerate() {
            let left = 10 + index as i32 * (width + gap);
            draw_panel(&root, panel, rows, (left, width), (top, count))?;
        }
        for (index, row) in rows.iter().enumerate() {
            let y = top + index as i32 * ROW;
            write(
                &root,
                &row.text,
                (10, y + 2),
                aligned(TEXT, HPos::Left, VPos::Top),
            )?;
        }
        let notes_top = top + count * ROW + axis + 8;
        write_notes(&root, notes, notes_top)?;
        root.present().map_err(error)?;
    }
    Ok(svg)
}

fn draw_panel(
    root: &Area,
    panel: &Panel,
    rows: &[RowLabel],
    (left, width): (i32, i32),
    (top, count): (i32, i32),
) -> Result<(), String> {
    write(
        root,
        &panel.heading,
        (left + width / 2, top - 24),
        aligned(TEXT, HPos::Center, VPos::Top),
    )?;
    let height = count * ROW + 50;
    let area = root
        .clone()
        .shrink((left, top), (width as u32, height as u32));
    let values = panel.values.iter().flatten();
    let low = values.clone().map(|s| s.min).fold(f64::MAX, f64::min);
    let high = values.map(|s| s.max).fold(0.0, f64::max);
    let format = panel.label;
    // Where each row's bar or dot sits, from its value's x pixel.
    let band = |index: usize| top + index as i32 * ROW + BAND;
    match &panel.scale {
        Scale::Bars { mark } => {
            let right = high.max(mark.unwrap_or(0.0)) * 1.1;
            let mut chart = ChartBuilder::on(&area)
                .margin_left(12)
                .margin_right(16)
                .x_label_area_size(40)
                .build_cartesian_2d(0.0..right, 0.0..1.0)
                .map_err(error)?;
            configure(&mut chart, format)?;
            let x = |value: f64| chart.backend_coord(&(value, 0.0)).0;
            for (index, (row, value)) in rows.iter().zip(&panel.values).enumerate() {
                let Some(stat) = value else { continue };
                let y = band(index);
                let look = row.look;
                let fill = if look.python {
                    look.color.mix(0.4).filled()
                } else {
                    look.color.filled()
                };
                let bar = [(x(0.0), y - 7), (x(stat.median), y + 7)];
                root.draw(&Rectangle::new(bar, fill)).map_err(error)?;
                let edge = look.color.stroke_width(2);
                root.draw(&Rectangle::new(bar, edge)).map_err(error)?;
                whisker(root, (x(stat.min), y), (x(stat.max), y), BLACK)?;
            }
            if let Some(mark) = mark {
                // Only beside the bars, never through a row's text.
                for index in 0..rows.len() {
                    let y = band(index);
                    let segment = vec![(x(*mark), y - 10), (x(*mark), y + 10)];
                    root.draw(&DashedPathElement::new(
                        segment,
                        4,
                        3,
                        BLACK.stroke_width(2),
                    ))
                    .map_err(error)?;
                }
            }
        }
        Scale::Dots { ticks } => {
            let (first, last) = (ticks[0], ticks[ticks.len() - 1]);
            let range = (first.min(low) / 1.2..last.max(high) * 1.2).log_scale();
            let mut chart = ChartBuilder::on(&area)
                .margin_left(20)
                .margin_right(26)
                .x_label_area_size(40)
                .build_cartesian_2d(range.with_key_points(ticks.clone()), 0.0..1.0)
                .map_err(error)?;
            configure(&mut chart, format)?;
            let x = |value: f64| chart.backend_coord(&(value, 0.0)).0;
            for (index, (row, value)) in rows.iter().zip(&panel.values).enumerate() {
                let Some(stat) = value else { continue };
                let y = band(index);
                whisker(root, (x(stat.min), y), (x(stat.max), y), row.look.color)?;
                marker(root, (x(stat.median), y), row.look)?;
            }
        }
    }
    Ok(())
}

/// The x axis of a panel: ticks and their labels, no grid.
fn configure<X: Ranged<ValueType = f64> + ValueFormatter<f64>>(
    chart: &mut ChartContext<SVGBackend, Cartesian2d<X, RangedCoordf64>>,
    format: fn(f64) -> String,
) -> Result<(), String> {
    chart
        .configure_mesh()
        .disable_mesh()
        .disable_y_axis()
        .x_labels(5)
        .x_label_formatter(&|x| format(*x))
        .x_label_style(font(TEXT))
        .axis_style(BLACK.stroke_width(1))
        .draw()
        .map_err(error)
}

// The charts ---------------------------------------------------------------------

fn speedup_label(x: f64) -> String {
    format!("{}x", trim(x))
}

/// CPU-bound: speedup bars beside wall-time dots, one row per model.
fn cpu_chart(results: &Value) -> Result<String, String> {
    let cores = number(field(results, "machine")?, "cores")?;
    let mut labels = Vec::new();
    let (mut speedups, mut times) = (Vec::new(), Vec::new());
    for (language, side) in sides(results) {
        for row in rows(side, "cpu")? {
            let model = text(row, "model")?;
            let time = stat(field(row, "time")?, "s")?;
            // The ratios the CPU table shows: sequential's time over this
            // model's, in the same repetition.
            let paired = stats::Spread {
                samples: tables::paired(side, model).unwrap_or_default(),
            };
            let speedup = paired.median();
            labels.push(RowLabel {
                text: format!(
                    "{}: {speedup:.2}x, {}",
                    title(language, model),
                    report::time(time.median)
                ),
                look: look(language, model),
            });
            speedups.push(Some(Stat {
                median: speedup,
                min: paired.min(),
                max: paired.max(),
            }));
            times.push(Some(time));
        }
    }
    let all = times.iter().flatten();
    let low = all.clone().map(|t| t.min).fold(f64::MAX, f64::min);
    let high = all.map(|t| t.max).fold(0.0, f64::max);
    let samples = number(field(results, "settings")?, "repetitions")?;
    let limit = number(field(results, "settings")?, "prime_limit")?;
    row_chart(
        &format!("CPU-bound: count the primes below {}", tables::count(limit)),
        &labels,
        &[
            Panel {
                heading: "speedup over sequential".to_string(),
                scale: Scale::Bars { mark: Some(cores) },
                label: speedup_label,
                values: speedups,
            },
            Panel {
                heading: "wall time (log scale)".to_string(),
                scale: Scale::Dots {
                    ticks: decades(low, high),
                },
                label: time_label,
                values: times,
            },
        ],
        &[
            format!("Dashed: the number of cores ({cores}). Speedup:"),
            "sequential's time over the model's, in the same".to_string(),
            format!("repetition and language: the median of {samples}, with"),
            "a whisker from the smallest to the largest. Past the".to_string(),
            "dashed line, or past 1x on one thread, is noise. Time".to_string(),
            format!("whiskers: smallest to largest of {samples} samples."),
        ],
    )
}

/// Cost per unit: one dot per unit, on a log axis.
fn cost_chart(
    results: &Value,
    key: &str,
    unit: &str,
    title_text: &str,
    heading: &str,
    label: fn(f64) -> String,
) -> Result<String, String> {
    let mut labels = Vec::new();
    let mut values = Vec::new();
    for (language, side) in sides(results) {
        for row in rows(side, "cost")? {
            let Some(value) = row.get(key).filter(|v| !v.is_null()) else {
                continue;
            };
            let mut stat = stat(value, unit)?;
            if stat.median <= 0.0 {
                continue; // a log axis has no place for it: the table shows it
            }
            // A sample at or below zero (noise in a small difference) has no
            // place on a log axis either: its whisker ends at a tenth.
            // The row's text says so.
            let cut = stat.min < stat.median / 10.0;
            stat.min = stat.min.max(stat.median / 10.0);
            let name = text(row, "unit")?;
            let shown = if unit == "us" {
                report::time(stat.median / 1e6)
            } else {
                report::bytes_spread(stat.median, stat.min, stat.max)
                    .split(" (")
                    .next()
                    .unwrap_or_default()
                    .to_string()
            };
            labels.push(RowLabel {
                text: format!(
                    "{}: {shown}{}",
                    title(language, name),
                    if cut { " (whisker cut at 1/10)" } else { "" }
                ),
                look: look(language, name),
            });
            values.push(Some(stat));
        }
    }
    if values.is_empty() {
        return Err(format!("no `{key}` in the results' cost rows"));
    }
    let scale = if unit == "us" { 1e-6 } else { 1.0 };
    let values: Vec<Option<Stat>> = values
        .into_iter()
        .map(|v| {
            v.map(|s| Stat {
                median: s.median * scale,
                min: s.min * scale,
                max: s.max * scale,
            })
        })
        .collect();
    let all = values.iter().flatten();
    let low = all.clone().map(|t| t.min).fold(f64::MAX, f64::min);
    let high = all.map(|t| t.max).fold(0.0, f64::max);
    let ticks = if unit == "us" {
        decades(low, high)
    } else {
        byte_decades(low, high)
    };
    let samples = number(field(results, "settings")?, "repetitions")?;
    row_chart(
        title_text,
        &labels,
        &[Panel {
            heading: heading.to_string(),
            scale: Scale::Dots { ticks },
            label,
            values,
        }],
        &[format!(
            "Whiskers: smallest to largest of {samples} samples."
        )],
    )
}

// Line charts: a series per model --------------------------------------------

struct Point {
    x: f64,
    stat: Stat,
    capped: bool,
}

struct Series {
    language: &'static str,
    model: String,
    points: Vec<Point>,
}

/// What a line chart's axes are.
struct Axes {
    x: Vec<f64>,
    /// The smallest and largest x of a point.
    x_span: (f64, f64),
    x_label: fn(f64) -> String,
    x_desc: &'static str,
    x_log: bool,
    y: Vec<f64>,
    /// The smallest and largest y of a whisker or a reference line.
    y_span: (f64, f64),
    y_label: fn(f64) -> String,
    y_desc: &'static str,
    y_log: bool,
}

/// A horizontal or diagonal reference line, dashed grey, with its legend text.
struct Reference {
    from: (f64, f64),
    to: (f64, f64),
    label: String,
}

fn line_chart(
    title_text: &str,
    series: &[Series],
    axes: Axes,
    reference: Reference,
    notes: &[&str],
) -> Result<String, String> {
    let plot_height = 330;
    let rust_rows = series.iter().filter(|s| s.language == "Rust").count();
    let python_rows = series.len() - rust_rows;
    let extra = usize::from(series.iter().any(|s| s.points.iter().any(|p| p.capped)));
    let legend_rows = 1 + rust_rows.max(python_rows + 1 + extra) as i32;
    let legend_top = 36 + plot_height + 8;
    let notes_top = legend_top + 24 * legend_rows + 4;
    let height = (notes_top + LINE * notes.len() as i32 + 8) as u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(error)?;
        write(
            &root,
            title_text,
            (WIDTH as i32 / 2, 8),
            aligned(TITLE, HPos::Center, VPos::Top),
        )?;
        let plot = root.clone().shrink((0, 36), (WIDTH, plot_height as u32));
        let (x0, x1) = axes.x_span;
        let (y0, y1) = (axes.y[0], axes.y[axes.y.len() - 1]);
        // Room beside the outermost points for the spread-out points.
        let (x_low, x_high) = if axes.x_log {
            (x0 / 1.6, x1 * 1.6)
        } else {
            (x0 - 0.4, x1 + 0.4)
        };
        let x_keys: Vec<f64> = axes
            .x
            .iter()
            .copied()
            .filter(|x| (x_low..=x_high).contains(x))
            .collect();
        let (y_low, y_high) = if axes.y_log {
            (axes.y_span.0 / 1.5, axes.y_span.1 * 1.5)
        } else {
            (y0, y1 * 1.04)
        };
        macro_rules! draw {
            ($x:expr, $y:expr) => {{
                // margin_left: room for the widest tick label ("100 ms")
                // and the axis title, which would touch the canvas edge.
                let mut chart = ChartBuilder::on(&plot)
                    .margin_left(10)
                    .margin_right(16)
                    .margin_top(6)
                    .x_label_area_size(52)
                    .y_label_area_size(72)
                    .build_cartesian_2d($x, $y)
                    .map_err(error)?;
                chart
                    .configure_mesh()
                    .x_labels(axes.x.len())
                    .y_labels(axes.y.len())
                    .x_label_formatter(&|x| (axes.x_label)(*x))
                    .y_label_formatter(&|y| (axes.y_label)(*y))
                    .x_desc(axes.x_desc)
                    .y_desc(axes.y_desc)
                    .label_style(font(TEXT))
                    .axis_desc_style(font(TEXT))
                    .light_line_style(WHITE)
                    .bold_line_style(BLACK.mix(0.12))
                    .draw()
                    .map_err(error)?;
                let at = |x: f64, y: f64| chart.backend_coord(&(x, y));
                draw_lines(&root, series, &reference, &at, axes.x_log)?;
            }};
        }
        let y_keys: Vec<f64> = axes
            .y
            .iter()
            .copied()
            .filter(|y| (y_low..=y_high).contains(y))
            .collect();
        match (axes.x_log, axes.y_log) {
            (true, true) => draw!(
                (x_low..x_high).log_scale().with_key_points(x_keys),
                (y_low..y_high).log_scale().with_key_points(y_keys)
            ),
            // Linear axes: plotters picks round ticks, at most one a worker.
            (false, false) => draw!(x_low..x_high, y_low..y_high),
            _ => return Err("a line chart is log-log or linear".to_string()),
        }
        draw_legend(&root, series, &reference, legend_top, extra > 0)?;
        write_notes(&root, notes, notes_top)?;
        root.present().map_err(error)?;
    }
    Ok(svg)
}

/// The reference line, then each series: its line, whiskers and markers,
/// each point moved sideways a little (by its series' place in the list)
/// so that points at the same value do not hide each other.
fn draw_lines(
    root: &Area,
    series: &[Series],
    reference: &Reference,
    at: &dyn Fn(f64, f64) -> (i32, i32),
    x_log: bool,
) -> Result<(), String> {
    let count = series.len() as f64;
    for (index, one) in series.iter().enumerate() {
        let look = look(one.language, &one.model);
        let offset = (index as f64 - (count - 1.0) / 2.0) * if x_log { 0.022 } else { 0.025 };
        let moved = |x: f64| {
            if x_log {
                x * 10f64.powf(offset)
            } else {
                x + offset
            }
        };
        let pixels: Vec<(i32, i32)> = one
            .points
            .iter()
            .map(|p| at(moved(p.x), p.stat.median))
            .collect();
        line(root, pixels.clone(), look)?;
        for (point, &pixel) in one.points.iter().zip(&pixels) {
            let (x, _) = pixel;
            let low = at(moved(point.x), point.stat.min).1;
            let high = at(moved(point.x), point.stat.max).1;
            if high < low - 2 {
                whisker(root, (x, low), (x, high), look.color)?;
            }
            if point.capped {
                root.draw(&Circle::new(pixel, 10, BLACK.stroke_width(2)))
                    .map_err(error)?;
            }
            marker(root, pixel, look)?;
        }
    }
    // Drawn last, over the data: where a series follows it (a speedup equal
    // to the number of workers), the dashes still show.
    let grey = RGBColor(110, 110, 110).stroke_width(2);
    let ends = vec![
        at(reference.from.0, reference.from.1),
        at(reference.to.0, reference.to.1),
    ];
    root.draw(&DashedPathElement::new(ends, 8, 6, grey))
        .map_err(error)?;
    Ok(())
}

/// Rust's series in the left column; Python's, the reference line and the
/// mark of a capped point in the right one.
fn draw_legend(
    root: &Area,
    series: &[Series],
    reference: &Reference,
    top: i32,
    capped: bool,
) -> Result<(), String> {
    // A heading over each column; the entries under it drop the language.
    let (mut rust_row, mut python_row) = (1, 1);
    let half = WIDTH as i32 / 2;
    for (language, x) in [("Rust", 10), ("Python", half + 4)] {
        write(
            root,
            language,
            (x, top + 10),
            aligned(TEXT, HPos::Left, VPos::Center),
        )?;
    }
    for one in series {
        let look = look(one.language, &one.model);
        let title = title(one.language, &one.model);
        let prefix = format!("{}, ", one.language);
        let label = title.strip_prefix(&prefix).unwrap_or(&title);
        let (x, row) = if one.language == "Rust" {
            rust_row += 1;
            (10, rust_row - 1)
        } else {
            python_row += 1;
            (half + 4, python_row - 1)
        };
        legend_entry(root, (x, top + 10 + 24 * row), look, label)?;
    }
    let y = top + 10 + 24 * python_row;
    let grey = RGBColor(110, 110, 110).stroke_width(2);
    root.draw(&DashedPathElement::new(
        vec![(half + 4, y), (half + 34, y)],
        8,
        6,
        grey,
    ))
    .map_err(error)?;
    write(
        root,
        &reference.label,
        (half + 42, y),
        aligned(TEXT, HPos::Left, VPos::Center),
    )?;
    if capped {
        let y = y + 24;
        root.draw(&Circle::new((half + 19, y), 10, BLACK.stroke_width(2)))
            .map_err(error)?;
        write(
            root,
            "capped: at N run",
            (half + 42, y),
            aligned(TEXT, HPos::Left, VPos::Center),
        )?;
    }
    Ok(())
}

/// Time for N concurrent waits, one line per model, log-log.
fn io_chart(results: &Value, workload: &str, title_text: &str) -> Result<String, String> {
    let mut series: Vec<Series> = Vec::new();
    for (language, side) in sides(results) {
        for row in rows(side, "io")?
            .iter()
            .filter(|r| r["workload"] == workload)
        {
            let Some(time) = row.get("time").filter(|t| !t.is_null()) else {
                continue;
            };
            let model = text(row, "model")?;
            let ran = number(row, "n_run")?;
            let point = Point {
                x: ran,
                stat: stat(time, "s")?,
                capped: ran < number(row, "n")?,
            };
            match series
                .iter_mut()
                .find(|s| s.language == language && s.model == model)
            {
                Some(one) => one.points.push(point),
                None => series.push(Series {
                    language,
                    model: model.to_string(),
                    points: vec![point],
                }),
            }
        }
    }
    if series.is_empty() {
        return Err(format!("no {workload} measurements in the results"));
    }
    let points = series.iter().flat_map(|s| s.points.iter());
    let (mut fewest, mut most, mut low, mut high) = (f64::MAX, 0.0f64, f64::MAX, 0.0f64);
    for point in points {
        fewest = fewest.min(point.x);
        most = most.max(point.x);
        low = low.min(point.stat.min);
        high = high.max(point.stat.max);
    }
    let wait = number(field(results, "settings")?, "wait_ms")? / 1e3;
    let samples = number(field(results, "settings")?, "repetitions")?;
    let note = format!("Whiskers: smallest to largest of {samples} samples.");
    line_chart(
        title_text,
        &series,
        Axes {
            x: decades(fewest, most),
            x_span: (fewest, most),
            x_label: tables::count,
            x_desc: "concurrent waits (log scale)",
            x_log: true,
            y: decades(low.min(wait), high),
            y_span: (low.min(wait), high),
            y_label: time_label,
            y_desc: "wall time (log scale)",
            y_log: true,
        },
        Reference {
            from: (fewest / 1.5, wait),
            to: (most * 1.5, wait),
            label: format!("one wait ({})", time_label(wait)),
        },
        &[&note],
    )
}

/// CPU-bound speedup with 1, 2, ... workers.
fn scaling_chart(results: &Value) -> Result<String, String> {
    let mut series = Vec::new();
    let mut top = 1.0f64;
    for (language, side) in sides(results) {
        for curve in rows(side, "scaling")? {
            let model = text(curve, "model")?;
            let mut points = Vec::new();
            for point in rows(curve, "points")? {
                // The same figures as the scaling table.
                let stat = tables::scaling_point(side, model, point)?;
                top = top.max(stat.max);
                points.push(Point {
                    x: number(point, "workers")?,
                    stat,
                    capped: false,
                });
            }
            series.push(Series {
                language,
                model: text(curve, "model")?.to_string(),
                points,
            });
        }
    }
    let cores = number(field(results, "machine")?, "cores")?;
    let step = if cores <= 8.0 {
        1
    } else {
        (cores / 8.0).ceil() as usize
    };
    let mut x: Vec<f64> = (1..=cores as usize)
        .step_by(step)
        .map(|w| w as f64)
        .collect();
    if x.last() != Some(&cores) {
        x.push(cores);
    }
    let samples = number(field(results, "settings")?, "repetitions")?;
    let note = format!("Whiskers: smallest to largest of {samples} samples.");
    let title_text = format!("CPU-bound: speedup by workers, on {cores} cores");
    // The reference line goes on past the first and last worker count, as
    // far as the plot's room allows (line_chart's margins: 0.4 beside the
    // x range, 4% above the top tick).
    let y_ticks = linear_ticks(top.max(cores));
    let y_top = y_ticks.last().copied().unwrap_or(cores) * 1.04;
    let reach: f64 = 0.35;
    let past_top = reach.min(y_top - cores).max(0.0);
    line_chart(
        &title_text,
        &series,
        Axes {
            x_span: (1.0, cores),
            x,
            x_label: |x| trim(x),
            x_desc: "workers (one per core at most)",
            x_log: false,
            y: y_ticks,
            y_span: (0.0, top.max(cores)),
            y_label: speedup_label,
            y_desc: "speedup over sequential",
            y_log: false,
        },
        Reference {
            // Past the data at both ends, where no point can hide it.
            from: (1.0 - reach, 1.0 - reach),
            to: (cores + past_top, cores + past_top),
            label: "speedup = workers".to_string(),
        },
        &[
            &note,
            "Each language against its own sequential run.",
            "Dashed, over the points: speedup = workers,",
            "which no model can pass: past it is noise.",
        ],
    )
}

/// Writes every chart and the tables into `dir`; returns their file names.
pub fn write_all(results: &Value, dir: &Path) -> Result<Vec<&'static str>, String> {
    let files = [
        ("cpu-speedup.svg", cpu_chart(results)?),
        ("cpu-scaling.svg", scaling_chart(results)?),
        (
            "io-sleep.svg",
            io_chart(results, "sleep", "I/O-bound: N concurrent timer sleeps")?,
        ),
        (
            "io-tcp.svg",
            io_chart(
                results,
                "tcp",
                "I/O-bound: N requests to a slow echo server",
            )?,
        ),
        (
            "cost-spawn.svg",
            cost_chart(
                results,
                "spawn_join",
                "us",
                "Cost per unit: spawn one and wait for it",
                "time per unit (log scale)",
                time_label,
            )?,
        ),
        (
            "cost-memory.svg",
            cost_chart(
                results,
                "memory",
                "bytes",
                "Cost per unit: memory while alive",
                "PSS + page tables + kernel stacks (log scale)",
                bytes_label,
            )?,
        ),
        ("tables.md", tables::write(results)?),
    ];
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut names = Vec::new();
    for (name, text) in files {
        let file = dir.join(name);
        std::fs::write(&file, text).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
        names.push(name);
    }
    Ok(names)
}
