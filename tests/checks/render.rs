//! The book renders to HTML with mdBook's own renderer, with every include
//! expanded and every internal link and anchor pointing somewhere real.
//!
//! Rendering is the slowest check of the text (a few seconds of CPU, half of
//! it the search index, built as `mdbook build` builds it), and its
//! result depends only on what mdBook reads and on this harness: after a
//! render that passed, a stamp of those inputs is kept in `target/tmp/`, and
//! the next run renders again only when a file mdBook reads, or the harness
//! itself, has changed since.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::common::Outcome;
use crate::common::schedule::trial;
use crate::common::{Problems, root};
use libtest_mimic::Trial;
use mdbook_driver::MDBook;
use mdbook_html::HtmlHandlebars;
use mdbook_renderer::Renderer;
use regex::Regex;

pub const RENDER: &str = "render::the-book-renders-with-working-links";

pub fn trials() -> Vec<Trial> {
    vec![trial(RENDER, the_book_renders_with_working_links)]
}

fn stamp() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("render-passed")
}

/// Whether this run will render: the stamp of the last render that passed
/// is missing or differs. The run after a prose edit then starts the render
/// first, although the run before, which skipped it, took no time for it.
pub fn will_render() -> bool {
    !fs::read_to_string(stamp()).is_ok_and(|kept| kept == inputs_digest())
}

fn the_book_renders_with_working_links() -> Outcome {
    let stamp = stamp();
    let inputs = inputs_digest();
    if fs::read_to_string(&stamp).is_ok_and(|kept| kept == inputs) {
        return Ok(());
    }
    render_and_check_links()?;
    fs::write(&stamp, inputs).map_err(|e| format!("cannot keep {}: {e}", stamp.display()))?;
    Ok(())
}

/// A digest of everything the render reads: the files under the folders
/// mdBook and the book's includes read, with their paths, and this test
/// binary (a changed check renders again).
fn inputs_digest() -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for folder in ["book.toml", "src", "listings", "css", "js", "theme"] {
        let files = walkdir::WalkDir::new(root().join(folder)).sort_by_file_name();
        for entry in files.into_iter().flatten() {
            // Build output inside a listing (a compile_fail sample's own
            // target/) is not read by mdBook.
            if entry.file_type().is_file()
                && !entry.path().components().any(|c| c.as_os_str() == "target")
            {
                entry.path().hash(&mut hasher);
                fs::read(entry.path()).unwrap_or_default().hash(&mut hasher);
            }
        }
    }
    let harness = std::env::current_exe().and_then(fs::metadata);
    format!("{:?}", harness.and_then(|m| m.modified()).ok()).hash(&mut hasher);
    format!("{:016x}\n", hasher.finish())
}

fn render_and_check_links() -> Outcome {
    let out = tempfile::tempdir().unwrap();
    let mut book = MDBook::load(root()).expect("cannot load the book");
    book.config.build.build_dir = out.path().to_path_buf();
    // Only mdBook's own HTML renderer: the optional link checker in book.toml
    // is a program that may not be installed (.ci/run runs it).
    let html = HtmlHandlebars::new();
    let warnings = SharedLog::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_ansi(false)
        .without_time()
        .with_writer(warnings.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, || book.execute_build_process(&html))
        .map_err(|e| format!("mdBook could not render the book: {e}"))?;
    let warnings = warnings.text();
    if warnings.contains("search index is very large") {
        return Err(search_index_too_large(&warnings).into());
    }
    if !warnings.trim().is_empty() {
        return Err(format!("mdBook warned while rendering the book:\n{warnings}").into());
    }
    let html_dir = book.build_dir_for(html.name());

    let pages = html_pages(&html_dir);
    assert!(pages.len() > 2, "mdBook rendered almost nothing: {pages:?}");
    let href = Regex::new(r#"(?:href|src)="([^"]*)""#).unwrap();
    let id = Regex::new(r#"\bid="([^"]+)""#).unwrap();
    let ids: BTreeMap<&PathBuf, BTreeSet<String>> = pages
        .iter()
        .map(|(page, html)| {
            (
                page,
                id.captures_iter(html).map(|c| c[1].to_owned()).collect(),
            )
        })
        .collect();

    let mut problems = Problems::default();
    for (page, html) in &pages {
        let name = page.strip_prefix(&html_dir).unwrap().display().to_string();
        if let Some(at) = html.find("{{#") {
            problems.add(format!(
                "{name}: an unexpanded directive: {:?}",
                &html[at..(at + 80).min(html.len())]
            ));
        }
        for link in href.captures_iter(html) {
            let link = link[1].replace("&amp;", "&");
            if link.is_empty()
                || link.contains("://")
                || link.starts_with("mailto:")
                || link.starts_with("javascript:")
                || link.starts_with("data:")
            {
                continue;
            }
            let (path, fragment) = link.split_once('#').unwrap_or((&link, ""));
            let path = path.split('?').next().unwrap();
            let target = if path.is_empty() {
                page.clone()
            } else {
                crate::common::book::normalize(&page.parent().unwrap().join(path))
            };
            if !target.exists() {
                problems.add(format!("{name}: broken link {link:?}"));
                continue;
            }
            if !fragment.is_empty() && target.extension().is_some_and(|e| e == "html") {
                let known = ids.get(&target).is_some_and(|ids| ids.contains(fragment));
                if !known {
                    problems.add(format!(
                        "{name}: link {link:?} names an anchor that {} does not have",
                        target.file_name().unwrap().to_string_lossy()
                    ));
                }
            }
        }
    }
    problems.verdict("the rendered book")
}

/// mdBook builds the search index with the pages and warns when its JSON
/// passes 10,000,000 bytes; `mdbook build` and `mdbook serve` would then warn
/// on every build, and the browser test fails on any warning. mdBook
/// indexes the hidden lines of every listing too: over a third of the index.
fn search_index_too_large(warnings: &str) -> String {
    format!(
        "mdBook warned that the search index is too large:\n{warnings}\n\
         Pages whose text a reader would not search for can be left out of the \
         index in book.toml, under [output.html.search.chapter] (see the pages \
         already there and CONTRIBUTING.md, \"The search index\")."
    )
}

/// What mdBook logs while it renders (through `tracing`), kept to be read.
#[derive(Clone, Default)]
struct SharedLog(Arc<Mutex<Vec<u8>>>);

impl SharedLog {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for SharedLog {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for SharedLog {
    type Writer = SharedLog;
    fn make_writer(&'a self) -> SharedLog {
        self.clone()
    }
}

fn html_pages(dir: &Path) -> Vec<(PathBuf, String)> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|entry| entry.path().extension().is_some_and(|e| e == "html"))
        .map(|entry| {
            let path = entry.into_path();
            let html = fs::read_to_string(&path).unwrap();
            (path, html)
        })
        .collect()
}
