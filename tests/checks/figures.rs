//! Figures in the prose come from data. Every number in a chapter's text that
//! states a measurement (a time, a size, a speedup, a percentage) must be one
//! of the figures of a file the same page shows or links (an output a
//! listing printed, a results file), rounded as the prose rounds it, or a
//! constant listed with its reason in `tests/figures.toml` (an input of a
//! listing, a documented limit of the system). One test per chapter,
//! `figures::<chapter file>`; `figures::constants-are-used` fails on a
//! constant no page uses any more.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use crate::common::schedule::trial;
use libtest_mimic::Trial;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use regex::Regex;
use serde::Deserialize;
use serde_json::Value;

use crate::common::book::{CHAPTERS, includes_in, normalize};
use crate::common::{Outcome, Problems, root};

const CONSTANTS_FILE: &str = "tests/figures.toml";

pub fn trials() -> Vec<Trial> {
    let mut trials: Vec<Trial> = CHAPTERS
        .iter()
        .map(|chapter| {
            let file = chapter.file.clone();
            trial(format!("figures::{file}"), move || check_page(&file)).with_kind("figures")
        })
        .collect();
    trials.push(trial("figures::constants-are-used", constants_are_used));
    trials
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Dimension {
    Time,
    Size,
    Ratio,
    Percent,
}

/// A figure as written: `113.3 ms` is 0.1133 s, given to one decimal.
#[derive(Debug)]
struct Figure {
    text: String,
    number: f64,
    decimals: usize,
    /// What one of its unit is in the dimension's base unit (s, B, 1, %).
    unit: f64,
    dimension: Dimension,
}

impl Figure {
    fn value(&self) -> f64 {
        self.number * self.unit
    }

    /// Whether `value` (in base units), written in this figure's unit and
    /// rounded to its decimals, is this figure.
    fn is_rounding_of(&self, dimension: Dimension, value: f64) -> bool {
        if dimension != self.dimension {
            return false;
        }
        let scale = 10f64.powi(self.decimals as i32);
        let rounded = (value / self.unit * scale).round() / scale;
        (rounded - self.number).abs() < 0.5 / scale / 10.0
    }
}

static FIGURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:^|[^\w.])(\d[\d,]*(?:\.\d+)?)[ \u{a0}]?(ns|µs|us|ms|seconds?|minutes?|s|KiB|MiB|GiB|KB|kB|MB|GB|bytes|B|x|×|%|times)(?:$|[^\w])",
    )
    .unwrap()
});

/// Every match of FIGURE, even when two stand one space apart (`38% 62%`):
/// the character that ends one match may begin the next.
fn figure_matches(text: &str) -> Vec<regex::Captures<'_>> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(c) = FIGURE.captures_at(text, at) {
        at = c.get(2).unwrap().end();
        found.push(c);
    }
    found
}

fn figures_in(text: &str) -> Vec<Figure> {
    figure_matches(text)
        .into_iter()
        .filter_map(|c| {
            // `4 × 100,000` multiplies; it states no ratio.
            let after = &text[c.get(2).unwrap().end()..];
            if matches!(&c[2], "x" | "×")
                && after
                    .trim_start()
                    .starts_with(|ch: char| ch.is_ascii_digit())
            {
                return None;
            }
            let digits = c[1].replace(',', "");
            let number: f64 = digits.parse().ok()?;
            let decimals = digits.split_once('.').map_or(0, |(_, d)| d.len());
            let (unit, dimension) = match &c[2] {
                "ns" => (1e-9, Dimension::Time),
                "µs" | "us" => (1e-6, Dimension::Time),
                "ms" => (1e-3, Dimension::Time),
                "s" | "second" | "seconds" => (1.0, Dimension::Time),
                "minute" | "minutes" => (60.0, Dimension::Time),
                "B" | "bytes" => (1.0, Dimension::Size),
                "KB" | "kB" => (1e3, Dimension::Size),
                "KiB" => (1024.0, Dimension::Size),
                "MB" => (1e6, Dimension::Size),
                "MiB" => (1024.0 * 1024.0, Dimension::Size),
                "GB" => (1e9, Dimension::Size),
                "GiB" => (1024.0 * 1024.0 * 1024.0, Dimension::Size),
                "x" | "×" | "times" => (1.0, Dimension::Ratio),
                "%" => (1.0, Dimension::Percent),
                _ => return None,
            };
            let text = format!("{} {}", &c[1], &c[2]).replace(" %", "%");
            Some(Figure {
                text,
                number,
                decimals,
                unit,
                dimension,
            })
        })
        .collect()
}

/// The text of a chapter a reader reads as prose, block by block, with the
/// line each block starts on: no code, inline code, HTML or link targets.
fn prose(markdown: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut current = String::new();
    let mut start = 0;
    let mut in_code = false;
    let parser = Parser::new_ext(markdown, Options::ENABLE_TABLES).into_offset_iter();
    for (event, range) in parser {
        match event {
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Text(text) if !in_code => {
                if current.is_empty() {
                    start = markdown[..range.start].matches('\n').count() + 1;
                }
                current.push_str(&text);
            }
            Event::SoftBreak | Event::HardBreak => current.push(' '),
            Event::Code(_) => current.push_str(" code "),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::TableCell
                | TagEnd::Item
                | TagEnd::Image,
            ) => {
                if !current.trim().is_empty() {
                    blocks.push((start, std::mem::take(&mut current)));
                }
                current.clear();
            }
            _ => {}
        }
    }
    blocks
}

/// A figure found in a data file, in base units; or a bare number
/// (`dimension: None`), which only the same digits match.
struct Datum {
    dimension: Option<Dimension>,
    value: f64,
    text: String,
}

/// The files a page shows or links that hold data: every `{{#include}}` of
/// a file that is not source code, and every link to a `.json` file.
fn data_files(chapter_file: &str) -> Vec<PathBuf> {
    static JSON_LINK: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\]\(([^)#\s]+\.json)\)").unwrap());
    let source = fs::read_to_string(root().join(chapter_file)).unwrap_or_default();
    let dir = Path::new(chapter_file).parent().unwrap();
    let included = includes_in(chapter_file, &source)
        .into_iter()
        .filter(|i| !i.rustdoc)
        .map(|i| i.path);
    let linked = JSON_LINK
        .captures_iter(&source)
        .map(|c| normalize(&dir.join(&c[1])));
    let mut files: Vec<PathBuf> = included
        .chain(linked)
        .filter(|p| p.extension().is_none_or(|e| e != "rs"))
        .collect();
    files.sort();
    files.dedup();
    files
}

fn data_in(file: &Path) -> Vec<Datum> {
    let text = fs::read_to_string(root().join(file)).unwrap_or_default();
    if file.extension().is_some_and(|e| e == "json") {
        let mut data = Vec::new();
        if let Ok(value) = serde_json::from_str::<Value>(&text) {
            json_data(&value, "", &mut data);
        }
        return data;
    }
    let mut data: Vec<Datum> = figures_in(&text)
        .into_iter()
        .map(|f| Datum {
            dimension: Some(f.dimension),
            value: f.value(),
            text: f.text,
        })
        .collect();
    // A number printed without a unit (`PSS 9237`) can be quoted with one,
    // digit for digit (`9237 bytes`).
    static NUMBER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\d[\d,]*(?:\.\d+)?").unwrap());
    data.extend(NUMBER.find_iter(&text).map(|m| Datum {
        dimension: None,
        value: 0.0,
        text: m.as_str().replace(',', ""),
    }));
    data
}

/// Numbers of a results file whose key names their unit (`seconds`, `*_s`,
/// `*_ms`, `*_us`, `*_bytes`, `*_mib`, `speedup`), and figures written in its
/// strings.
fn json_data(value: &Value, key: &str, data: &mut Vec<Datum>) {
    match value {
        Value::Object(map) => map.iter().for_each(|(k, v)| json_data(v, k, data)),
        Value::Array(items) => items.iter().for_each(|v| json_data(v, key, data)),
        // A sentence the results give, like "a quarter of MemAvailable
        // (5891 MiB)": its figures as written.
        Value::String(text) => data.extend(figures_in(text).into_iter().map(|f| Datum {
            dimension: Some(f.dimension),
            value: f.value(),
            text: f.text,
        })),
        Value::Number(n) => {
            let Some(number) = n.as_f64() else { return };
            let (unit, dimension) = if key == "seconds" || key.ends_with("_s") {
                (1.0, Dimension::Time)
            } else if key.ends_with("_ms") {
                (1e-3, Dimension::Time)
            } else if key.ends_with("_us") {
                (1e-6, Dimension::Time)
            } else if key.ends_with("_bytes") {
                (1.0, Dimension::Size)
            } else if key.ends_with("_mib") {
                (1024.0 * 1024.0, Dimension::Size)
            } else if key == "speedup" {
                (1.0, Dimension::Ratio)
            } else {
                return;
            };
            data.push(Datum {
                dimension: Some(dimension),
                value: number * unit,
                text: format!("{key}: {number}"),
            });
        }
        _ => {}
    }
}

/// `tests/figures.toml`: figures that are not measurements.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Constants {
    #[serde(default)]
    constant: Vec<Constant>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Constant {
    /// As written in the prose: `100 ms`.
    figure: String,
    /// Why it is not a measurement (an input, a documented limit).
    reason: String,
    /// The pages that may use it (every page when absent).
    pages: Option<Vec<String>>,
}

static CONSTANTS: LazyLock<Result<Constants, String>> = LazyLock::new(|| {
    let text = fs::read_to_string(root().join(CONSTANTS_FILE))
        .map_err(|e| format!("cannot read {CONSTANTS_FILE}: {e}"))?;
    toml::from_str(&text).map_err(|e| format!("{CONSTANTS_FILE}: {e}"))
});

fn constants() -> Result<&'static [Constant], String> {
    CONSTANTS
        .as_ref()
        .map(|c| c.constant.as_slice())
        .map_err(Clone::clone)
}

fn is_constant(constants: &[Constant], page: &str, figure: &Figure) -> bool {
    constants.iter().any(|c| {
        normalized(&c.figure) == normalized(&figure.text)
            && !c.reason.trim().is_empty()
            && c.pages
                .as_ref()
                .is_none_or(|pages| pages.iter().any(|p| p == page))
    })
}

/// `10,000 ms`, `10000ms` and `10 000 ms` are one figure.
fn normalized(figure: &str) -> String {
    figure.replace([',', ' ', '\u{a0}'], "")
}

fn check_page(file: &str) -> Outcome {
    let constants = constants()?;
    let source = fs::read_to_string(root().join(file)).map_err(|e| format!("{file}: {e}"))?;
    let files = data_files(file);
    let data: Vec<Datum> = files.iter().flat_map(|f| data_in(f)).collect();
    let mut problems = Problems::default();
    for (line, text) in prose(&source) {
        for figure in figures_in(&text) {
            let digits = figure
                .text
                .split(' ')
                .next()
                .unwrap_or_default()
                .replace(',', "");
            let from_data = data.iter().any(|d| match d.dimension {
                Some(dimension) => {
                    figure.is_rounding_of(dimension, d.value)
                        || normalized(&d.text) == normalized(&figure.text)
                }
                // Short numbers (`2`) are everywhere: not evidence enough.
                None => digits.len() >= 3 && d.text == digits,
            });
            if from_data || is_constant(constants, file, &figure) {
                continue;
            }
            let shown: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
            problems.add(format!(
                "{file}:{line}: the figure \"{}\" is in no data this page shows ({}), and \
                 {CONSTANTS_FILE} does not list it as a constant\n  in: {}",
                figure.text,
                if shown.is_empty() {
                    "it shows none".to_owned()
                } else {
                    shown.join(", ")
                },
                text.trim()
            ));
        }
    }
    problems.verdict(&format!("the figures of {file}"))
}

fn constants_are_used() -> Outcome {
    let constants = constants()?;
    let mut used = BTreeSet::new();
    for chapter in CHAPTERS.iter() {
        let source = fs::read_to_string(root().join(&chapter.file)).unwrap_or_default();
        for (_, text) in prose(&source) {
            for figure in figures_in(&text) {
                for (index, c) in constants.iter().enumerate() {
                    if is_constant(std::slice::from_ref(c), &chapter.file, &figure) {
                        used.insert(index);
                    }
                }
            }
        }
    }
    let mut problems = Problems::default();
    for (index, c) in constants.iter().enumerate() {
        if !used.contains(&index) {
            problems.add(format!(
                "{CONSTANTS_FILE}: the constant \"{}\" is used on no page it names: remove it",
                c.figure
            ));
        }
    }
    problems.verdict(CONSTANTS_FILE)
}
