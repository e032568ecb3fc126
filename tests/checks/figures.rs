//! Figures in the prose are tied to their source. Every number in a
//! chapter's text that states a measurement (a time, a size, a speedup, a
//! percentage) is followed by an invisible reference to the value it quotes:
//!
//! * `1.09x<!-- fig threads-prime-count 3:2 -->`: the 2nd number on line 3
//!   of listing `threads-prime-count`'s `output.txt` (`LISTING/FILE L:N`
//!   for another file of the listing, a path from the repository root for
//!   any other file);
//! * `107.4 ms<!-- fig src/compare/results.json io[workload=sleep,model=tokio-tasks,n=10000].time.median_s -->`:
//!   a value of a results file by its key path, `[key=value,...]` picking
//!   the one element of an array that has those fields;
//! * `100 ms<!-- fig const compare-wait -->`: a constant of
//!   `tests/figures.toml` (an input of a program, a documented limit), with
//!   its reason, and for a program's input the code that sets it there.
//!
//! `figures::<chapter file>` fails when a figure has no reference, when a
//! reference does not resolve or names a file the page neither shows nor
//! links, and when the literal is not the referenced value rounded as the
//! literal is written. `BLESS=1 cargo test -- figures::` rewrites each
//! literal from its reference instead. `figures::constants` checks the
//! constants themselves, `figures::self-test` this file's parsers.

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
use crate::common::snapshot::blessing;
use crate::common::{Outcome, Problems, root};

const CONSTANTS_FILE: &str = "tests/figures.toml";

/// The page `checks/appendix.rs` writes from the listings' descriptions: it
/// cannot carry references, so a figure there must be a constant's figure.
const GENERATED: &str = "src/appendix/listings.md";

pub fn trials() -> Vec<Trial> {
    let mut trials: Vec<Trial> = CHAPTERS
        .iter()
        .map(|chapter| {
            let file = chapter.file.clone();
            trial(format!("figures::{file}"), move || check_page(&file)).with_kind("figures")
        })
        .collect();
    trials.push(trial("figures::constants", check_constants));
    trials.push(trial("figures::self-test", self_test::run));
    trials
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Dimension {
    Time,
    Size,
    Ratio,
    Percent,
}

/// A value a reference gives: `number` in base units (s, B, 1, %) when the
/// source names its unit, or a bare number (`PSS 9237`), which the prose
/// quotes in its own unit.
#[derive(Clone, Copy, PartialEq, Debug)]
struct Quantity {
    number: f64,
    dimension: Option<Dimension>,
}

/// A figure as written: `107.4 ms` is 0.1074 s, given to one decimal.
#[derive(Debug, Clone)]
struct Figure {
    /// Byte range of the whole figure (`107.4 ms`) in the text it was found in.
    start: usize,
    end: usize,
    /// The number as written: `10,000`.
    digits: String,
    number: f64,
    decimals: usize,
    /// What one of its unit is in the dimension's base unit.
    unit: f64,
    dimension: Dimension,
}

impl Figure {
    fn text<'t>(&self, text: &'t str) -> &'t str {
        &text[self.start..self.end]
    }

    /// The referenced value in this figure's unit, or `None` when it is of
    /// another dimension.
    fn in_my_unit(&self, value: Quantity) -> Option<f64> {
        match value.dimension {
            Some(d) if d == self.dimension => Some(value.number / self.unit),
            Some(_) => None,
            None => Some(value.number),
        }
    }

    /// Whether `value`, written in this figure's unit and rounded to its
    /// decimals, is this figure.
    fn quotes(&self, value: Quantity) -> bool {
        self.in_my_unit(value).is_some_and(|v| {
            (round_to(v, self.decimals) - self.number).abs() < 1e-9 * v.abs().max(1.0)
        })
    }

    /// The digits that quote `value` as this figure is written (decimals,
    /// thousands separators).
    fn digits_for(&self, value: Quantity) -> Option<String> {
        let v = round_to(self.in_my_unit(value)?, self.decimals);
        let plain = format!("{v:.*}", self.decimals);
        Some(if self.digits.contains(',') {
            grouped(&plain)
        } else {
            plain
        })
    }
}

fn round_to(value: f64, decimals: usize) -> f64 {
    let scale = 10f64.powi(decimals as i32);
    (value * scale).round() / scale
}

/// `10000.5` -> `10,000.5`.
fn grouped(plain: &str) -> String {
    let (whole, fraction) = plain
        .split_once('.')
        .map_or((plain, None), |(w, f)| (w, Some(f)));
    let mut out = String::new();
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if let Some(fraction) = fraction {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

/// The character that stands for a reference in the prose text of a block.
const MARKER: char = '\u{E000}';

static FIGURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:^|[^\w.])(\d+(?:,\d{3})*(?:\.\d+)?)[ \u{a0}]?(ns|µs|us|ms|seconds?|minutes?|s|KiB|MiB|GiB|KB|kB|MB|GB|bytes|B|x|×|%|times)(?:$|[^\w])",
    )
    .unwrap()
});

/// A number in a data file, counted by references (`L:N`, the Nth on line L).
static NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|[^\w.])(\d+(?:,\d{3})*(?:\.\d+)?)").unwrap());

fn unit_of(unit: &str) -> Option<(f64, Dimension)> {
    Some(match unit {
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
    })
}

/// Every figure in `text`, even when two stand one space apart (`38% 62%`):
/// the character that ends one match may begin the next.
fn figures_in(text: &str) -> Vec<Figure> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(c) = FIGURE.captures_at(text, at) {
        let (digits, unit) = (c.get(1).unwrap(), c.get(2).unwrap());
        at = unit.end();
        // `4 × 100,000` multiplies; it states no ratio.
        if matches!(unit.as_str(), "x" | "×")
            && text[unit.end()..]
                .trim_start()
                .starts_with(|ch: char| ch.is_ascii_digit())
        {
            continue;
        }
        let plain = digits.as_str().replace(',', "");
        let (Ok(number), Some((scale, dimension))) = (plain.parse(), unit_of(unit.as_str())) else {
            continue;
        };
        found.push(Figure {
            start: digits.start(),
            end: unit.end(),
            digits: digits.as_str().to_owned(),
            number,
            decimals: plain.split_once('.').map_or(0, |(_, d)| d.len()),
            unit: scale,
            dimension,
        });
    }
    found
}

/// The Nth number (from 1) of a line of data, with its unit when one
/// follows it (`282 ms`), else bare.
fn nth_number(line: &str, n: usize) -> Option<Quantity> {
    let digits = NUMBER.captures_iter(line).nth(n.checked_sub(1)?)?.get(1)?;
    if let Some(f) = figures_in(line)
        .into_iter()
        .find(|f| f.start == digits.start())
    {
        return Some(Quantity {
            number: f.number * f.unit,
            dimension: Some(f.dimension),
        });
    }
    Some(Quantity {
        number: digits.as_str().replace(',', "").parse().ok()?,
        dimension: None,
    })
}

/// The text of a chapter a reader reads as prose, block by block: no code,
/// inline code, link targets. A figure reference (`<!-- fig ... -->`) is a
/// MARKER in the text and an entry of `references`.
#[derive(Debug, Default)]
struct Block {
    /// The line the block starts on.
    line: usize,
    /// Where each piece of text starts in `text`, and its line in the page.
    lines: Vec<(usize, usize)>,
    text: String,
    /// `text` as the reader reads it: the same but for the digits of inline
    /// code, which `text` hides (`sleep(###)`) so that they are no figures.
    shown: String,
    references: Vec<Written>,
    /// An image's description, whose figures take the references that
    /// follow the image, in order (a comment inside it would show).
    image: bool,
}

impl Block {
    fn push(&mut self, text: &str) {
        self.text.push_str(text);
        self.shown.push_str(text);
    }

    fn push_code(&mut self, code: &str) {
        self.text.push('`');
        self.text.extend(
            code.chars()
                .map(|c| if c.is_ascii_digit() { '#' } else { c }),
        );
        self.text.push('`');
        self.shown.push('`');
        self.shown.push_str(code);
        self.shown.push('`');
    }
}

/// A reference as written in the page.
#[derive(Debug, Clone)]
struct Written {
    /// What follows `fig`: `threads-prime-count 3:2`.
    spec: String,
    line: usize,
    /// Byte offset of the `<!--` in the page's source.
    offset: usize,
}

static REFERENCE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^<!--\s*fig\s+(.*?)\s*-->$").unwrap());

fn prose(markdown: &str) -> Vec<Block> {
    let line_of = |offset: usize| markdown[..offset].matches('\n').count() + 1;
    let mut blocks = Vec::new();
    let mut current = Block::default();
    let mut in_code = false;
    // After an image, the references that follow it belong to its description.
    let mut image_done: Option<Block> = None;
    let parser = Parser::new_ext(markdown, Options::ENABLE_TABLES).into_offset_iter();
    for (event, range) in parser {
        if let Some(mut image) = image_done.take() {
            match &event {
                Event::InlineHtml(html) if REFERENCE.is_match(html.trim()) => {
                    image
                        .references
                        .push(written(html, range.start, line_of(range.start)));
                    image_done = Some(image);
                    continue;
                }
                _ => blocks.push(image),
            }
        }
        match event {
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Start(Tag::Image { .. }) => {
                push_block(&mut blocks, &mut current);
                current.image = true;
            }
            Event::Text(text) if !in_code => {
                if current.text.is_empty() {
                    current.line = line_of(range.start);
                }
                current
                    .lines
                    .push((current.text.len(), line_of(range.start)));
                current.push(&text);
            }
            Event::Code(code) => {
                if current.text.is_empty() {
                    current.line = line_of(range.start);
                }
                current.push_code(&code);
            }
            Event::InlineHtml(html) if REFERENCE.is_match(html.trim()) => {
                current.push(MARKER.encode_utf8(&mut [0; 4]));
                current
                    .references
                    .push(written(&html, range.start, line_of(range.start)));
            }
            Event::SoftBreak | Event::HardBreak => current.push(" "),
            Event::End(TagEnd::Image) => {
                let mut image = std::mem::take(&mut current);
                image.image = true;
                image_done = Some(image);
            }
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::TableCell | TagEnd::Item,
            ) => push_block(&mut blocks, &mut current),
            _ => {}
        }
    }
    blocks.extend(image_done);
    push_block(&mut blocks, &mut current);
    blocks
}

fn written(html: &str, offset: usize, line: usize) -> Written {
    let spec = REFERENCE
        .captures(html.trim())
        .map_or("", |c| c.get(1).unwrap().as_str());
    Written {
        spec: spec.split_whitespace().collect::<Vec<_>>().join(" "),
        line,
        offset,
    }
}

fn push_block(blocks: &mut Vec<Block>, current: &mut Block) {
    let block = std::mem::take(current);
    if !block.text.trim().is_empty() || !block.references.is_empty() {
        blocks.push(block);
    }
}

/// A figure of the prose with the reference written for it, if any.
struct Quoted {
    figure: Figure,
    /// The figure as written (`107.4 ms`).
    text: String,
    reference: Option<Written>,
    /// The sentence around the figure.
    claim: String,
    line: usize,
}

/// Pairs each figure of a block with its reference: the one right after it,
/// or for an image's description the references after the image, in order.
/// Returns the references that follow no figure too.
fn quoted(block: &Block) -> (Vec<Quoted>, Vec<Written>) {
    let figures = figures_in(&block.text);
    let mut unused: Vec<Option<Written>> = block.references.iter().cloned().map(Some).collect();
    let mut out = Vec::new();
    for (i, figure) in figures.into_iter().enumerate() {
        let reference = if block.image {
            unused.get_mut(i).and_then(Option::take)
        } else if block.text[figure.end..].starts_with(MARKER) {
            let index = block.text[..figure.end].matches(MARKER).count();
            unused.get_mut(index).and_then(Option::take)
        } else {
            None
        };
        let line = reference.as_ref().map_or_else(
            || {
                let piece = block.lines.partition_point(|&(at, _)| at <= figure.start);
                piece
                    .checked_sub(1)
                    .map_or(block.line, |i| block.lines[i].1)
            },
            |r| r.line,
        );
        out.push(Quoted {
            text: figure.text(&block.text).to_owned(),
            claim: claim_around(&block.shown, figure.start, figure.end),
            figure,
            reference,
            line,
        });
    }
    (out, unused.into_iter().flatten().collect())
}

/// The sentence of `text` that holds `start..end`, without the references.
fn claim_around(text: &str, start: usize, end: usize) -> String {
    let ends =
        |s: &str| s.ends_with(". ") || s.ends_with("? ") || s.ends_with("! ") || s.ends_with(": ");
    let mut from = start;
    while from > 0 && !ends(&text[..from]) {
        from = text[..from].char_indices().last().map_or(0, |(i, _)| i);
    }
    let mut to = end;
    while to < text.len() && !(text[to..].starts_with(". ") || text[to..].starts_with(": ")) {
        to += text[to..].chars().next().map_or(1, char::len_utf8);
    }
    let to = (to + 1).min(text.len());
    text[from..to]
        .replace(MARKER, "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Where a reference points.
#[derive(Debug, PartialEq)]
enum Reference {
    /// A constant of tests/figures.toml, by name.
    Constant(String),
    /// A value of a JSON file by its key path.
    Json { file: PathBuf, path: String },
    /// The Nth number (from 1) of line `line` (from 1) of a text file.
    Text {
        file: PathBuf,
        line: usize,
        nth: usize,
    },
}

impl Reference {
    fn file(&self) -> Option<&Path> {
        match self {
            Reference::Constant(_) => None,
            Reference::Json { file, .. } | Reference::Text { file, .. } => Some(file),
        }
    }

    /// The listing whose output this reads, for `BLESS=<listing>`.
    fn listing(&self) -> Option<String> {
        let file = self.file()?;
        crate::common::book::listing_dir_of(file)
            .and_then(|dir| dir.file_name().map(|n| n.to_string_lossy().into_owned()))
    }
}

/// `const NAME`, `FILE.json KEY.PATH`, `LISTING L:N`, `LISTING/FILE L:N`,
/// `PATH/FROM/ROOT L:N`. `listings` finds a listing's directory by name.
fn parse_reference(
    spec: &str,
    listings: &dyn Fn(&str) -> Option<PathBuf>,
) -> Result<Reference, String> {
    let (first, rest) = spec
        .split_once(' ')
        .ok_or("a reference is `fig SOURCE WHERE`")?;
    let rest = rest.trim();
    if first == "const" {
        return Ok(Reference::Constant(rest.to_owned()));
    }
    let file = match first.split_once('/') {
        None => listings(first)
            .ok_or_else(|| format!("no listing is named {first}"))?
            .join("output.txt"),
        Some((listing, inside)) => match listings(listing) {
            Some(dir) => dir.join(inside),
            None => PathBuf::from(first),
        },
    };
    if first.ends_with(".json") {
        return Ok(Reference::Json {
            file,
            path: rest.to_owned(),
        });
    }
    let bad = || format!("`{rest}` is not LINE:N (the Nth number of line LINE)");
    let (line, nth) = rest.split_once(':').ok_or_else(bad)?;
    Ok(Reference::Text {
        file,
        line: line.parse().map_err(|_| bad())?,
        nth: nth.parse().map_err(|_| bad())?,
    })
}

fn listing_dir(name: &str) -> Option<PathBuf> {
    let chapters = fs::read_dir(root().join("listings")).ok()?;
    chapters
        .flatten()
        .map(|chapter| Path::new("listings").join(chapter.file_name()).join(name))
        .find(|dir| root().join(dir).join("Cargo.toml").is_file())
}

/// What a reference gives, and how to say it in a message.
fn resolve(reference: &Reference) -> Result<(Quantity, String), String> {
    match reference {
        Reference::Constant(name) => {
            let constant = constants()?
                .iter()
                .find(|c| c.name == *name)
                .ok_or_else(|| format!("{CONSTANTS_FILE} has no constant named {name}"))?;
            let value = constant.quantity()?;
            check_source(constant, value).map_err(|e| format!("the constant {name}: {e}"))?;
            Ok((
                value,
                format!("the constant {name} is \"{}\"", constant.figure),
            ))
        }
        Reference::Json { file, path } => {
            let text = fs::read_to_string(root().join(file))
                .map_err(|e| format!("{}: {e}", file.display()))?;
            let json: Value =
                serde_json::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
            // `KEY.PATH:N` is the Nth number of a string (`"would take 50 s"`).
            let (keys, nth) = match path.rsplit_once(':') {
                Some((keys, n)) if n.parse::<usize>().is_ok() => (keys, n.parse().ok()),
                _ => (path.as_str(), None),
            };
            let (value, key) = json_at(&json, keys)?;
            let said = format!("{} {path} is {value}", file.display());
            let found = match (value, nth) {
                (Value::Number(n), None) => n.as_f64().map(|n| json_quantity(n, &key)),
                (Value::String(text), Some(nth)) => nth_number(text, nth),
                _ => None,
            };
            let value = found.ok_or_else(|| {
                format!("{said}: not a number (`:N` reads the Nth number of a string)")
            })?;
            Ok((value, said))
        }
        Reference::Text { file, line, nth } => {
            let text = fs::read_to_string(root().join(file))
                .map_err(|e| format!("{}: {e}", file.display()))?;
            let shown = text
                .lines()
                .nth(line.checked_sub(1).ok_or("lines count from 1")?)
                .ok_or_else(|| format!("{} has no line {line}", file.display()))?;
            let value = nth_number(shown, *nth).ok_or_else(|| {
                format!(
                    "line {line} of {} has no number {nth}: {shown:?}",
                    file.display()
                )
            })?;
            Ok((
                value,
                format!(
                    "number {nth} of line {line} of {} ({:?})",
                    file.display(),
                    shown.trim()
                ),
            ))
        }
    }
}

/// A number of a results file in base units when its key names its unit
/// (`seconds`, `*_s`, `*_ms`, `*_us`, `*_bytes`, `*_mib`, `speedup`).
fn json_quantity(number: f64, key: &str) -> Quantity {
    let (scale, dimension) = if key == "seconds" || key.ends_with("_s") {
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
        return Quantity {
            number,
            dimension: None,
        };
    };
    Quantity {
        number: number * scale,
        dimension: Some(dimension),
    }
}

/// `io[workload=sleep,n=10000].time.median_s`: keys, and `[k=v,...]` to
/// pick the one element of an array whose fields have those values.
/// Returns the value and the last key.
fn json_at<'v>(json: &'v Value, path: &str) -> Result<(&'v Value, String), String> {
    static STEP: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^([^.\[\]]+)(?:\[([^\]]*)\])?(?:\.|$)").unwrap());
    let mut value = json;
    let mut rest = path;
    let mut key = String::new();
    while !rest.is_empty() {
        let step = STEP
            .captures(rest)
            .ok_or_else(|| format!("cannot read the key path `{path}` at `{rest}`"))?;
        key = step[1].to_owned();
        value = value
            .get(&key)
            .ok_or_else(|| format!("`{path}`: no key {key} here"))?;
        if let Some(selector) = step.get(2) {
            value = select(value, selector.as_str()).map_err(|e| format!("`{path}`: {e}"))?;
        }
        rest = &rest[step.get(0).unwrap().end()..];
    }
    Ok((value, key))
}

/// The one element of `array` whose fields have the values `k=v,k=v` gives.
fn select<'v>(array: &'v Value, selector: &str) -> Result<&'v Value, String> {
    let items = array.as_array().ok_or("[...] picks from an array")?;
    let wanted: Vec<(&str, &str)> = selector
        .split(',')
        .map(|pair| pair.split_once('=').map(|(k, v)| (k.trim(), v.trim())))
        .collect::<Option<_>>()
        .ok_or_else(|| format!("[{selector}] is not [key=value,...]"))?;
    let fits = |item: &&Value| {
        wanted.iter().all(|(k, v)| match item.get(*k) {
            Some(Value::String(s)) => s == v,
            Some(Value::Number(n)) => v.parse::<f64>().ok() == n.as_f64(),
            _ => false,
        })
    };
    let found: Vec<&Value> = items.iter().filter(fits).collect();
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err(format!("no element has [{selector}]")),
        many => Err(format!("{} elements have [{selector}]", many.len())),
    }
}

/// The files a page shows or links that hold data: every `{{#include}}` of
/// a file that is not source code, and every link to a `.json` file.
fn data_files(chapter_file: &str, source: &str) -> Vec<PathBuf> {
    static JSON_LINK: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\]\(([^)#\s]+\.json)\)").unwrap());
    let dir = Path::new(chapter_file).parent().unwrap();
    let included = includes_in(chapter_file, source)
        .into_iter()
        .filter(|i| !i.rustdoc)
        .map(|i| i.path);
    let linked = JSON_LINK
        .captures_iter(source)
        .map(|c| normalize(&dir.join(&c[1])));
    let mut files: Vec<PathBuf> = included
        .chain(linked)
        .filter(|p| p.extension().is_none_or(|e| e != "rs"))
        .collect();
    files.sort();
    files.dedup();
    files
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
    /// What references call it: `fig const NAME`.
    name: String,
    /// The value: `100 ms`.
    figure: String,
    /// Why it is not a measurement (an input, a documented limit).
    reason: String,
    /// The program's file that sets it, for an input: `code` must be in it.
    source: Option<String>,
    /// The code that sets it there: a `Duration::from_*` call, an integer
    /// product (bytes): `const STDERR_KEPT: u64 = 4096`, or a decimal number
    /// for a ratio (`const WIDE: f64 = 1.2` is "1.2 times") or a percentage,
    /// written as a fraction (`const GAP: f64 = 0.05` is "5%").
    code: Option<String>,
}

impl Constant {
    fn quantity(&self) -> Result<Quantity, String> {
        match figures_in(&self.figure).as_slice() {
            [f] if f.start == 0 && f.end == self.figure.len() => Ok(Quantity {
                number: f.number * f.unit,
                dimension: Some(f.dimension),
            }),
            _ => Err(format!(
                "{CONSTANTS_FILE}: the constant {} has figure \"{}\", which is not one figure",
                self.name, self.figure
            )),
        }
    }
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

/// The value a piece of Rust code sets: the `Duration::from_*` call in it
/// (`wait: Duration::from_millis(100)` is 0.1 s); else its last decimal
/// number, a ratio or, for a constant the prose gives as a percentage
/// (`want`), a fraction (`const GAP: f64 = 0.05` is 5%); else its last
/// integer product, in bytes (`const KEPT: u64 = 4 * 1024` is 4096 B).
fn code_value(code: &str, want: Option<Dimension>) -> Option<Quantity> {
    static DURATION: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"Duration::from_(secs|millis|micros|nanos)\(([\d_]+)\)").unwrap()
    });
    static DECIMAL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b\d[\d_]*\.\d[\d_]*\b").unwrap());
    static PRODUCT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b\d[\d_]*(?:\s*(?:\*|<<)\s*\d[\d_]*)*").unwrap());
    let int = |s: &str| s.trim().replace('_', "").parse::<u64>().ok();
    if let Some(c) = DURATION.captures(code) {
        let scale = match &c[1] {
            "secs" => 1.0,
            "millis" => 1e-3,
            "micros" => 1e-6,
            _ => 1e-9,
        };
        return Some(Quantity {
            number: int(&c[2])? as f64 * scale,
            dimension: Some(Dimension::Time),
        });
    }
    if let Some(decimal) = DECIMAL.find_iter(code).last() {
        let number = decimal.as_str().replace('_', "").parse::<f64>().ok()?;
        return Some(if want == Some(Dimension::Percent) {
            Quantity {
                number: number * 100.0,
                dimension: Some(Dimension::Percent),
            }
        } else {
            Quantity {
                number,
                dimension: Some(Dimension::Ratio),
            }
        });
    }
    let expr = PRODUCT.find_iter(code).last()?.as_str();
    let bytes = if let Some((a, b)) = expr.split_once("<<") {
        int(a)?.checked_shl(u32::try_from(int(b)?).ok()?)?
    } else {
        expr.split('*').map(int).product::<Option<u64>>()?
    };
    Some(Quantity {
        number: bytes as f64,
        dimension: Some(Dimension::Size),
    })
}

/// Where the program sets a constant: `code` must be in `file` once, and
/// set the constant's value.
fn check_source(c: &Constant, value: Quantity) -> Result<(), String> {
    let (Some(file), Some(code)) = (&c.source, &c.code) else {
        return match (&c.source, &c.code) {
            (None, None) => Ok(()),
            _ => Err("give both `source` and `code`, or neither".to_owned()),
        };
    };
    let text = fs::read_to_string(root().join(file)).map_err(|e| format!("{file}: {e}"))?;
    let times = text.matches(code.as_str()).count();
    if times != 1 {
        return Err(format!("`{code}` is in {file} {times} times, not once"));
    }
    let found = code_value(code, value.dimension)
        .ok_or_else(|| format!("`{code}` sets no duration, size or ratio this check reads"))?;
    let same = found.dimension == value.dimension
        && (found.number - value.number).abs() <= 1e-9 * value.number.abs();
    if !same {
        return Err(format!("\"{}\" is not what `{code}` sets", c.figure));
    }
    Ok(())
}

/// The constant whose value `figure` quotes, for the generated page.
fn constant_written_as(figure: &Figure) -> Result<Option<&'static Constant>, String> {
    Ok(constants()?
        .iter()
        .find(|c| c.quantity().is_ok_and(|v| figure.quotes(v))))
}

/// A constant: a name, a figure that parses, a reason, used by a page, and
/// equal to the program's own item where it names one.
fn check_constants() -> Outcome {
    let constants = constants()?;
    let mut used = BTreeSet::new();
    for chapter in CHAPTERS.iter() {
        let source = fs::read_to_string(root().join(&chapter.file)).unwrap_or_default();
        for block in prose(&source) {
            for r in &block.references {
                if let Some(name) = r.spec.strip_prefix("const ") {
                    used.insert(name.trim().to_owned());
                }
            }
            if chapter.file == GENERATED {
                for q in quoted(&block).0 {
                    if let Some(c) = constant_written_as(&q.figure)? {
                        used.insert(c.name.clone());
                    }
                }
            }
        }
    }
    let mut problems = Problems::default();
    let mut names = BTreeSet::new();
    for c in constants {
        if !names.insert(&c.name) {
            problems.add(format!(
                "{CONSTANTS_FILE}: two constants are named {}",
                c.name
            ));
        }
        if c.reason.trim().is_empty() {
            problems.add(format!(
                "{CONSTANTS_FILE}: the constant {} gives no reason",
                c.name
            ));
        }
        if !used.contains(&c.name) {
            problems.add(format!(
                "{CONSTANTS_FILE}: no page refers to the constant {} (`<!-- fig const {} -->`): remove it",
                c.name, c.name
            ));
        }
        let value = match c.quantity() {
            Ok(value) => value,
            Err(e) => {
                problems.add(e);
                continue;
            }
        };
        if let Err(e) = check_source(c, value) {
            problems.add(format!("{CONSTANTS_FILE}: the constant {}: {e}", c.name));
        }
    }
    problems.verdict(CONSTANTS_FILE)
}

fn check_page(file: &str) -> Outcome {
    let source = fs::read_to_string(root().join(file)).map_err(|e| format!("{file}: {e}"))?;
    let shown = data_files(file, &source);
    let mut problems = Problems::default();
    // (offset of the reference, figure as written, digits it should have).
    let mut rewrites: Vec<(usize, String, String)> = Vec::new();
    for block in prose(&source) {
        let (figures, stray) = quoted(&block);
        for r in stray {
            problems.add(format!(
                "{file}:{}: the reference `fig {}` follows no figure (a figure's reference comes right after its unit)",
                r.line, r.spec
            ));
        }
        for q in figures {
            if q.reference.is_none() && file == GENERATED {
                if constant_written_as(&q.figure)?.is_none() {
                    problems.add(format!(
                        "{file}:{}: the figure \"{}\" (from a listing's description) is no constant of {CONSTANTS_FILE}\n  claim: {}",
                        q.line, q.text, q.claim
                    ));
                }
                continue;
            }
            let Some(written) = &q.reference else {
                problems.add(format!(
                    "{file}:{}: the figure \"{}\" names no source: write `<!-- fig SOURCE -->` right after it (CONTRIBUTING.md, \"Figures in the prose\")\n  claim: {}",
                    q.line, q.text, q.claim
                ));
                continue;
            };
            let checked = parse_reference(&written.spec, &listing_dir).and_then(|reference| {
                if let Some(data) = reference.file()
                    && !shown.iter().any(|s| s == data)
                {
                    return Err(format!(
                        "{} is not a file this page shows or links",
                        data.display()
                    ));
                }
                let (value, said) = resolve(&reference)?;
                Ok((reference, value, said))
            });
            let (reference, value, said) = match checked {
                Ok(found) => found,
                Err(e) => {
                    problems.add(format!(
                        "{file}:{}: the figure \"{}\" refers to `{}`: {e}\n  claim: {}",
                        q.line, q.text, written.spec, q.claim
                    ));
                    continue;
                }
            };
            if q.figure.quotes(value) {
                continue;
            }
            let wanted = q.figure.digits_for(value);
            // `BLESS=<listing>` rewrites the figures that quote that
            // listing's files, `BLESS=figures` the others (results files,
            // constants), `BLESS=1` all of them.
            let bless = match reference.listing() {
                Some(listing) => blessing(&listing),
                None => blessing("figures"),
            };
            match (&wanted, bless) {
                (Some(digits), true) => rewrites.push((written.offset, q.text.clone(), digits.clone())),
                _ => problems.add(format!(
                    "{file}:{}: the figure \"{}\" is not what its source says: {said}{}\n  claim: {}\n  \
                     BLESS=1 cargo test -- figures:: rewrites the figure from its source",
                    q.line,
                    q.text,
                    wanted.map_or_else(
                        || ", which is not of the figure's kind".to_owned(),
                        |d| format!(", which this figure writes as {d}")
                    ),
                    q.claim
                )),
            }
        }
    }
    if !rewrites.is_empty() {
        rewrite(file, &source, rewrites).map_err(|e| format!("{file}: {e}"))?;
    }
    problems.verdict(&format!("the figures of {file}"))
}

/// Writes each figure's new digits before its reference.
fn rewrite(
    file: &str,
    source: &str,
    mut rewrites: Vec<(usize, String, String)>,
) -> Result<(), String> {
    rewrites.sort_by_key(|r| std::cmp::Reverse(r.0));
    let mut text = source.to_owned();
    for (offset, figure, digits) in rewrites {
        let start = offset
            .checked_sub(figure.len())
            .filter(|&s| text.get(s..offset) == Some(figure.as_str()))
            .ok_or_else(|| {
                format!("cannot find \"{figure}\" before its reference at byte {offset}")
            })?;
        let old_digits = figure
            .split(|c: char| !(c.is_ascii_digit() || c == ',' || c == '.'))
            .next()
            .unwrap_or("");
        text.replace_range(start..start + old_digits.len(), &digits);
    }
    fs::write(root().join(file), text).map_err(|e| e.to_string())
}

/// Tests of the parsers above, run by the harness as `figures::self-test`.
mod self_test {
    use super::*;

    pub fn run() -> Outcome {
        let mut problems = Problems::default();
        let mut check = |what: &str, ok: bool| {
            if !ok {
                problems.add(format!("figures::self-test: {what}"));
            }
        };
        parser(&mut check);
        references(&mut check);
        resolver(&mut check);
        constants(&mut check);
        problems.verdict("the figures check's own parsers")
    }

    fn parser(check: &mut dyn FnMut(&str, bool)) {
        let found = figures_in("took 107.4 ms, 38% 62%, 1.98x, 10,000 ms and 4 × 100,000");
        let texts: Vec<&str> = found
            .iter()
            .map(|f| &"took 107.4 ms, 38% 62%, 1.98x, 10,000 ms and 4 × 100,000"[f.start..f.end])
            .collect();
        check(
            &format!("figures_in finds each figure, not a product: {texts:?}"),
            texts == ["107.4 ms", "38%", "62%", "1.98x", "10,000 ms"],
        );
        let f = &found[0];
        let at = |number, dimension| Quantity {
            number,
            dimension: Some(dimension),
        };
        check(
            "107.4 ms quotes 0.10738 s",
            f.quotes(at(0.10738, Dimension::Time)),
        );
        check(
            "107.4 ms does not quote 0.1076 s",
            !f.quotes(at(0.1076, Dimension::Time)),
        );
        check(
            "107.4 ms does not quote 107.4 %",
            !f.quotes(at(107.4, Dimension::Percent)),
        );
        check(
            "107.4 ms quotes a bare 107.4",
            f.quotes(Quantity {
                number: 107.4,
                dimension: None,
            }),
        );
        check(
            "107.4 ms is rewritten from 0.10751 s as 107.5",
            f.digits_for(at(0.10751, Dimension::Time)).as_deref() == Some("107.5"),
        );
        check(
            "10,000 ms is rewritten from 12.3456 s as 12,346",
            found[4].digits_for(at(12.3456, Dimension::Time)).as_deref() == Some("12,346"),
        );
        check(
            "nth_number reads a unit after the number",
            nth_number("contiguous ranges   282 ms  1.09x  busy (ms): 211 281", 2)
                == Some(at(1.09, Dimension::Ratio)),
        );
        check(
            "nth_number reads a bare number",
            nth_number("PSS 9,237 kB, pid 12", 2)
                == Some(Quantity {
                    number: 12.0,
                    dimension: None,
                }),
        );
    }

    fn references(check: &mut dyn FnMut(&str, bool)) {
        let page = "It took 107.4 ms<!-- fig src/r.json a.b_s --> and 2 s.\n\n\
                    ![a 100 ms sleep](x.svg)<!-- fig const wait -->\n\n\
                    | 5% | `9 ms` |\n| --- | --- |\n| 1<!-- fig x 1:1 --> | |\n";
        let blocks = prose(page);
        let all: Vec<(String, Option<String>)> = blocks
            .iter()
            .flat_map(|b| quoted(b).0)
            .map(|q| (q.text, q.reference.map(|r| r.spec)))
            .collect();
        check(
            &format!("prose pairs figures with the reference after them: {all:?}"),
            all == [
                ("107.4 ms".to_owned(), Some("src/r.json a.b_s".to_owned())),
                ("2 s".to_owned(), None),
                ("100 ms".to_owned(), Some("const wait".to_owned())),
                ("5%".to_owned(), None),
            ],
        );
        let stray: Vec<String> = blocks
            .iter()
            .flat_map(|b| quoted(b).1)
            .map(|r| r.spec)
            .collect();
        check(
            &format!("a reference after no figure is found: {stray:?}"),
            stray == ["x 1:1"],
        );
        check(
            "the claim is the sentence around the figure",
            claim_around("One. It took 1 s\u{e000} here. Two.", 13, 16) == "It took 1 s here.",
        );
        let listings = |name: &str| (name == "demo").then(|| PathBuf::from("listings/c/demo"));
        check(
            "a listing's name means its output.txt",
            parse_reference("demo 3:2", &listings)
                == Ok(Reference::Text {
                    file: "listings/c/demo/output.txt".into(),
                    line: 3,
                    nth: 2,
                }),
        );
        check(
            "LISTING/FILE is a file of the listing",
            parse_reference("demo/twice.txt 1:1", &listings)
                .is_ok_and(|r| r.file() == Some(Path::new("listings/c/demo/twice.txt"))),
        );
        check(
            "a JSON reference keeps its key path, spaces and all",
            parse_reference("src/c/results.json cost[unit=tokio task].x_us", &listings)
                == Ok(Reference::Json {
                    file: "src/c/results.json".into(),
                    path: "cost[unit=tokio task].x_us".into(),
                }),
        );
        check(
            "an unknown listing is an error",
            parse_reference("nothing 1:1", &listings).is_err(),
        );
        check(
            "L:N must be numbers",
            parse_reference("demo 1:x", &listings).is_err(),
        );
    }

    fn resolver(check: &mut dyn FnMut(&str, bool)) {
        let json: Value = serde_json::json!({
            "io": [
                {"model": "threads", "n": 100, "time": {"median_s": 0.5}},
                {"model": "threads", "n": 1000, "time": {"median_s": 0.8}},
                {"model": "tokio", "n": 1000, "time": {"median_s": 0.1}}
            ]
        });
        let at = |path: &str| json_at(&json, path).map(|(v, k)| (v.as_f64(), k));
        check(
            "a selector picks the one element",
            at("io[model=threads,n=1000].time.median_s") == Ok((Some(0.8), "median_s".to_owned())),
        );
        check(
            "a selector that fits two is an error",
            at("io[model=threads].time.median_s").is_err(),
        );
        check(
            "a selector that fits none is an error",
            at("io[model=none].time.median_s").is_err(),
        );
        check(
            "a missing key is an error",
            at("io[model=tokio].time.mean_s").is_err(),
        );
        check(
            "a key's suffix names its unit",
            json_quantity(44.2, "median_us").dimension == Some(Dimension::Time)
                && (json_quantity(44.2, "median_us").number - 44.2e-6).abs() < 1e-12,
        );
    }

    fn constants(check: &mut dyn FnMut(&str, bool)) {
        let time = |number| {
            Some(Quantity {
                number,
                dimension: Some(Dimension::Time),
            })
        };
        let bytes = |number| {
            Some(Quantity {
                number,
                dimension: Some(Dimension::Size),
            })
        };
        check(
            "a const Duration",
            code_value("const GRACE: Duration = Duration::from_millis(500)", None) == time(0.5),
        );
        check(
            "an inline Duration",
            code_value("thread::sleep(Duration::from_secs(60))", None) == time(60.0),
        );
        check(
            "an integer product is bytes",
            code_value(".stack_size(64 * 1024)", None) == bytes(65536.0),
        );
        check(
            "a const integer is bytes",
            code_value("const KEPT: u64 = 4_096", None) == bytes(4096.0),
        );
        check(
            "a shift is bytes",
            code_value("1 << 20", None) == bytes(1048576.0),
        );
        check(
            "a decimal is a ratio",
            code_value("const WIDE: f64 = 1.2;", Some(Dimension::Ratio))
                == Some(Quantity {
                    number: 1.2,
                    dimension: Some(Dimension::Ratio),
                }),
        );
        check(
            "a decimal is a fraction where the prose gives a percentage",
            code_value("const GAP: f64 = 0.05;", Some(Dimension::Percent)).is_some_and(|q| {
                q.dimension == Some(Dimension::Percent) && (q.number - 5.0).abs() < 1e-9
            }),
        );
        check(
            "code without a number sets nothing",
            code_value("let x = y;", None).is_none(),
        );
    }
}
