//! The book as `build.rs` expanded it with mdBook's own preprocessors, read
//! from `$OUT_DIR/book.json` when the tests run.

use std::path::PathBuf;
use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;

pub use super::includes::{Include, includes_in, listing_dir_of, normalize};

/// The Markdown extensions mdBook turns on when it renders a chapter, so
/// that a check parsing a page reads it as the reader's book does.
pub const MDBOOK_MARKDOWN: pulldown_cmark::Options = pulldown_cmark::Options::ENABLE_TABLES
    .union(pulldown_cmark::Options::ENABLE_FOOTNOTES)
    .union(pulldown_cmark::Options::ENABLE_STRIKETHROUGH)
    .union(pulldown_cmark::Options::ENABLE_TASKLISTS)
    .union(pulldown_cmark::Options::ENABLE_HEADING_ATTRIBUTES);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Chapter {
    /// `src/three-models.md`
    pub file: String,
    pub title: String,
    /// The chapter after `{{#include}}` and `{{#rustdoc_include}}`.
    pub expanded: String,
}

/// One fenced code block of a chapter.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Block {
    pub chapter: String,
    /// 1-based position among the chapter's fenced blocks.
    pub number: usize,
    /// Line of the opening fence in the chapter's source.
    pub line: usize,
    /// The info string: `rust`, `rust,compile_fail,E0373`, `text`...
    pub info: String,
    /// The block as written in `src/`.
    pub source: String,
    /// The block as the reader sees it (hidden lines start with `# `).
    pub expanded: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Book {
    chapters: Vec<Chapter>,
    blocks: Vec<Block>,
}

static BOOK: LazyLock<Book> = LazyLock::new(|| {
    let file = concat!(env!("OUT_DIR"), "/book.json");
    let text = std::fs::read_to_string(file)
        .unwrap_or_else(|e| panic!("cannot read {file} (build.rs writes it): {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file} is not the book: {e}"))
});

pub static CHAPTERS: LazyLock<&'static [Chapter]> = LazyLock::new(|| &BOOK.chapters);
pub static BLOCKS: LazyLock<&'static [Block]> = LazyLock::new(|| &BOOK.blocks);

impl Block {
    /// `src/three-models.md, block 3 (line 12)`: how failures name a block.
    pub fn location(&self) -> String {
        format!(
            "{}, block {} (line {})",
            self.chapter, self.number, self.line
        )
    }

    pub fn tokens(&self) -> Vec<&str> {
        super::includes::info_tokens(&self.info)
    }

    pub fn is_rust(&self) -> bool {
        self.tokens().contains(&"rust")
    }

    pub fn is_compile_fail(&self) -> bool {
        self.tokens().contains(&"compile_fail")
    }

    /// The error codes a `compile_fail` block names: `E0373`.
    pub fn error_codes(&self) -> Vec<&str> {
        let code = Regex::new(r"^E\d{4}$").unwrap();
        self.tokens()
            .into_iter()
            .filter(|t| code.is_match(t))
            .collect()
    }

    pub fn includes(&self) -> Vec<Include> {
        includes_in(&self.chapter, &self.source)
    }

    /// The listing crate directory this block comes from, if any:
    /// `listings/three-models/print-numbers-thread`.
    pub fn listing_dir(&self) -> Option<PathBuf> {
        self.includes()
            .into_iter()
            .find_map(|i| listing_dir_of(&i.path))
    }

    /// The program the block stands for: the expanded text with the hidden
    /// lines shown, as skeptic and rustdoc read it.
    pub fn program(&self) -> String {
        super::hidden::unhidden(&self.expanded)
    }
}
