//! The reader's side of the book. Reader pages teach: how the book is
//! checked lives on one appendix page, in the testing chapter and in
//! CONTRIBUTING.md, and nowhere else. The set-up page's `Cargo.toml` lines
//! are the workspace's own, so a reader's project gets the crates, versions
//! and features the listings were built with.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use libtest_mimic::Trial;
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use regex::Regex;
use toml::{Table, Value};

use crate::common::book::CHAPTERS;
use crate::common::schedule::trial;
use crate::common::{Outcome, Problems, root};

/// The pages where the harness may be the subject: the two appendix pages on
/// how the book is checked and where its programs run, and the Testing chapter.
const HARNESS_PAGES: &[&str] = &[
    "src/appendix/how-checked.md",
    "src/appendix/where-it-runs.md",
    "src/testing.md",
];

const SETUP_PAGE: &str = "src/setup.md";

/// Phrases that speak of the book's own checks rather than of concurrency.
/// Each is specific enough not to match a lesson: "test" alone would (a
/// reader's tests are a topic of the book), "the test accepts" does not.
const HARNESS_PHRASES: &[&str] = &[
    r"\bBLESS\b",
    r"output\.pattern",
    r"\bskeptic\b",
    r"test harness",
    r"test fixture",
    r"the tests? (?:accepts?|checks?|compares?|requires?|fails?|would fail)",
    r"the check fails",
    r"(?:fails|failing) its test",
    r"its test fails",
    r"the test of this listing",
    r"(?:the|this) book['’]s (?:own )?(?:tests?|checks|CI|test machine|test suite)",
    r"the test suite",
    r"test machine",
    r"the tests (?:run on|use)",
    r"so that the tests",
    r"so that the run is the same every time",
    r"written by the test",
    r"so that it can be tested",
    r"hidden lines that check",
];

static HARNESS_TALK: LazyLock<Regex> = LazyLock::new(|| {
    // A phrase may be broken over two lines of the source.
    let alternatives: Vec<String> = HARNESS_PHRASES
        .iter()
        .map(|p| p.replace(' ', r"\s+"))
        .collect();
    Regex::new(&format!("(?i)(?:{})", alternatives.join("|"))).unwrap()
});

pub fn trials() -> Vec<Trial> {
    vec![
        trial(
            "reader::reader-pages-do-not-talk-about-the-harness",
            reader_pages_do_not_talk_about_the_harness,
        ),
        trial(
            "reader::setup-page-dependencies-are-the-workspace-dependencies",
            setup_page_dependencies_are_the_workspace_dependencies,
        ),
        trial(
            "reader::dependency-lines-on-every-page-are-the-workspace-dependencies",
            dependency_lines_on_every_page_are_the_workspace_dependencies,
        ),
    ]
}

fn reader_pages_do_not_talk_about_the_harness() -> Outcome {
    let mut problems = Problems::default();
    let mut pages = 0;
    for chapter in CHAPTERS.iter() {
        if HARNESS_PAGES.contains(&chapter.file.as_str()) {
            continue;
        }
        pages += 1;
        let source = std::fs::read_to_string(root().join(&chapter.file)).unwrap_or_default();
        let mut reported = BTreeSet::new();
        for (expanded_line, text) in prose(&chapter.expanded) {
            for found in HARNESS_TALK.find_iter(&text) {
                let phrase = found.as_str().split_whitespace().collect::<Vec<_>>();
                let line = source_line(&source, &phrase, &mut reported).map_or_else(
                    || format!("(included text, line {expanded_line} of the expanded page)"),
                    |line| line.to_string(),
                );
                problems.add(format!(
                    "{}:{line}: \"{}\" speaks of the book's checks; say it in the reader's \
                     words, or move it to src/appendix/how-checked.md\n  in: {}",
                    chapter.file,
                    phrase.join(" "),
                    text.trim()
                ));
            }
        }
    }
    assert!(pages > 10, "the book has only {pages} reader pages");
    problems.verdict("the reader pages' prose")
}

/// The line of the source where `phrase` occurs, the first one not yet
/// reported (a phrase may occur more than once on a page).
fn source_line(source: &str, phrase: &[&str], reported: &mut BTreeSet<usize>) -> Option<usize> {
    let words: Vec<String> = phrase.iter().map(|w| regex::escape(w)).collect();
    let pattern = Regex::new(&format!("(?i){}", words.join(r"\s+"))).ok()?;
    pattern
        .find_iter(source)
        .map(|m| source[..m.start()].matches('\n').count() + 1)
        .find(|line| reported.insert(*line))
}

/// The prose of a page, paragraph by paragraph, with the line each starts
/// on: text and inline code, not code blocks and not HTML (comments and
/// captions).
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
            Event::Text(text) | Event::Code(text) if !in_code => {
                if current.is_empty() {
                    start = markdown[..range.start].matches('\n').count() + 1;
                }
                current.push_str(&text);
            }
            Event::SoftBreak | Event::HardBreak => current.push(' '),
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

/// What a manifest says about one crate, wherever it says it.
#[derive(Default, PartialEq)]
struct Requirement {
    versions: BTreeSet<String>,
    features: BTreeSet<String>,
    default_features: BTreeSet<bool>,
}

impl std::fmt::Display for Requirement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list = |items: Vec<String>| items.join(", ");
        write!(
            f,
            "version {}, features [{}], default-features {}",
            list(self.versions.iter().cloned().collect()),
            list(self.features.iter().cloned().collect()),
            list(self.default_features.iter().map(bool::to_string).collect())
        )
    }
}

/// The root manifest's `[workspace]` table, and what its
/// `[workspace.dependencies]` ask for, crate by crate.
fn workspace_dependencies() -> Result<(Table, BTreeMap<String, Requirement>), String> {
    let manifest = read_toml(&std::fs::read_to_string(root().join("Cargo.toml")).unwrap())?;
    let workspace = manifest["workspace"]
        .as_table()
        .ok_or("no [workspace]")?
        .clone();
    let listed = workspace["dependencies"]
        .as_table()
        .ok_or("no [workspace.dependencies]")?;
    let mut wanted = BTreeMap::new();
    add_requirements(&mut wanted, listed);
    Ok((workspace, wanted))
}

fn setup_page_dependencies_are_the_workspace_dependencies() -> Outcome {
    let (workspace, wanted) = workspace_dependencies()?;
    let workspace = &workspace;

    let page = std::fs::read_to_string(root().join(SETUP_PAGE))
        .map_err(|e| format!("{SETUP_PAGE}: {e}"))?;
    let blocks = toml_blocks(&page);
    if blocks.is_empty() {
        return Err(format!("{SETUP_PAGE} has no ```toml block").into());
    }
    let mut shown = BTreeMap::new();
    let mut problems = Problems::default();
    for (line, text) in &blocks {
        let table = read_toml(text).map_err(|e| format!("{SETUP_PAGE}:{line}: {e}"))?;
        for (name, section) in dependency_sections(&table) {
            add_requirements(&mut shown, section);
            if name == "dependencies" && section.contains_key("loom") {
                problems.add(format!(
                    "{SETUP_PAGE}:{line}: loom is in [dependencies]; the listings take it only \
                     under cfg(loom) or as a dev-dependency"
                ));
            }
        }
        if let Some(package) = table.get("package").and_then(Value::as_table) {
            check_package(package, workspace, *line, &mut problems);
        }
    }
    for (name, want) in &wanted {
        match shown.get(name) {
            None => problems.add(format!(
                "{SETUP_PAGE}: no line for {name}, which the workspace gives the listings ({want})"
            )),
            Some(got) if got != want => problems.add(format!(
                "{SETUP_PAGE}: {name} is {got} on the page, but {want} in the root \
                 Cargo.toml's [workspace.dependencies]"
            )),
            Some(_) => {}
        }
    }
    for name in shown.keys().filter(|n| !wanted.contains_key(*n)) {
        problems.add(format!(
            "{SETUP_PAGE}: {name} is on the page but not in [workspace.dependencies]"
        ));
    }
    problems.verdict("the set-up page's dependency lines")
}

/// A `Cargo.toml` line shown on any page (a reminder under a page's first
/// tokio listing, say) asks for the workspace's version of the crate and no
/// feature the workspace does not give the listings: a reader who copies it
/// builds the listings as the book did. The set-up page, which must show
/// every crate, is checked whole above.
fn dependency_lines_on_every_page_are_the_workspace_dependencies() -> Outcome {
    let (_, wanted) = workspace_dependencies()?;
    let mut problems = Problems::default();
    let mut lines = 0;
    for chapter in CHAPTERS.iter() {
        for (line, text) in toml_blocks(&chapter.expanded) {
            let where_ = format!("{} (expanded line {line})", chapter.file);
            let table = read_toml(&text).map_err(|e| format!("{where_}: {e}"))?;
            for (_, section) in dependency_sections(&table) {
                // A listing's own manifest, included as it is, inherits the
                // workspace's line (`loom = { workspace = true }`), and the
                // page says what a reader writes instead.
                let inherits =
                    |spec: &Value| spec.get("workspace").and_then(Value::as_bool) == Some(true);
                let own_lines: Table = section
                    .iter()
                    .filter(|(_, spec)| !inherits(spec))
                    .map(|(name, spec)| (name.clone(), spec.clone()))
                    .collect();
                let mut shown = BTreeMap::new();
                add_requirements(&mut shown, &own_lines);
                for (name, got) in shown {
                    lines += 1;
                    let Some(want) = wanted.get(&name) else {
                        problems.add(format!(
                            "{where_}: {name} is not in [workspace.dependencies]"
                        ));
                        continue;
                    };
                    if got.versions != want.versions
                        || got.default_features != want.default_features
                        || !got.features.is_subset(&want.features)
                    {
                        problems.add(format!(
                            "{where_}: {name} is {got} on the page, but {want} in the root \
                             Cargo.toml's [workspace.dependencies]"
                        ));
                    }
                }
            }
        }
    }
    assert!(lines > 10, "the book shows only {lines} dependency lines");
    problems.verdict("the dependency lines of the pages")
}

/// The page's edition and minimum Rust are the ones the book is built with.
fn check_package(package: &Table, workspace: &Table, line: usize, problems: &mut Problems) {
    let edition = workspace
        .get("package")
        .and_then(|p| p.get("edition"))
        .and_then(Value::as_str);
    if package.get("edition").and_then(Value::as_str) != edition {
        problems.add(format!(
            "{SETUP_PAGE}:{line}: the edition is not the workspace's ({edition:?})"
        ));
    }
    let toolchain = std::fs::read_to_string(root().join("rust-toolchain.toml")).unwrap_or_default();
    let channel = read_toml(&toolchain)
        .ok()
        .and_then(|t| {
            t.get("toolchain")?
                .get("channel")?
                .as_str()
                .map(str::to_owned)
        })
        .unwrap_or_default();
    let rust_version = package.get("rust-version").and_then(Value::as_str);
    if !rust_version.is_some_and(|v| channel == v || channel.starts_with(&format!("{v}."))) {
        problems.add(format!(
            "{SETUP_PAGE}:{line}: rust-version {rust_version:?} is not the pinned toolchain \
             {channel} (rust-toolchain.toml)"
        ));
    }
}

fn read_toml(text: &str) -> Result<Table, String> {
    text.parse::<Table>().map_err(|e| e.to_string())
}

/// Every `[dependencies]`-like table of a manifest: `dependencies`,
/// `dev-dependencies`, and the same under `[target.'cfg(...)']`.
fn dependency_sections(manifest: &Table) -> Vec<(String, &Table)> {
    let mut sections = Vec::new();
    for kind in ["dependencies", "dev-dependencies"] {
        if let Some(table) = manifest.get(kind).and_then(Value::as_table) {
            sections.push((kind.to_owned(), table));
        }
    }
    if let Some(targets) = manifest.get("target").and_then(Value::as_table) {
        for (target, table) in targets {
            for kind in ["dependencies", "dev-dependencies"] {
                if let Some(table) = table.get(kind).and_then(Value::as_table) {
                    sections.push((format!("target.{target}.{kind}"), table));
                }
            }
        }
    }
    sections
}

/// Adds what `section` says of each crate: a crate may be split over
/// several sections (tokio's `test-util` in `[dev-dependencies]`), so the
/// features add up and every version must be the same one.
fn add_requirements(into: &mut BTreeMap<String, Requirement>, section: &Table) {
    for (name, spec) in section {
        let requirement = into.entry(name.clone()).or_default();
        match spec {
            Value::String(version) => {
                requirement.versions.insert(version.clone());
                requirement.default_features.insert(true);
            }
            Value::Table(spec) => {
                if let Some(version) = spec.get("version").and_then(Value::as_str) {
                    requirement.versions.insert(version.to_owned());
                }
                let features = spec.get("features").and_then(Value::as_array);
                for feature in features.into_iter().flatten().filter_map(Value::as_str) {
                    requirement.features.insert(feature.to_owned());
                }
                let defaults = spec.get("default-features").and_then(Value::as_bool);
                requirement
                    .default_features
                    .insert(defaults.unwrap_or(true));
            }
            _ => {}
        }
    }
}

/// The ```toml blocks of a page, with the line after each opening fence.
fn toml_blocks(markdown: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, String)> = None;
    let parser = Parser::new(markdown).into_offset_iter();
    for (event, range) in parser {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))
                if info.split(',').next() == Some("toml") =>
            {
                let line = markdown[..range.start].matches('\n').count() + 2;
                current = Some((line, String::new()));
            }
            Event::Text(text) => {
                if let Some((_, body)) = current.as_mut() {
                    body.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => blocks.extend(current.take()),
            _ => {}
        }
    }
    blocks
}
