//! Expands the book exactly as mdBook renders it, then hands it to the tests.
//!
//! 1. mdBook's own preprocessors (through `mdbook-driver`) expand every
//!    `{{#include}}` and `{{#rustdoc_include}}`, so the code the tests see is
//!    the code the reader sees, hidden lines and all.
//! 2. Every chapter and every fenced code block of it is written to
//!    `$OUT_DIR/book.json`, which the checks in `tests/` read when they run
//!    (read, not compiled in: a prose edit then rebuilds no check).
//! 3. Every distinct program of a `rust` block that should compile goes to
//!    skeptic (several blocks showing parts of one listing are one program),
//!    one markdown file per chapter, each block under a heading that names its listing, so that a
//!    failing skeptic test names the chapter and the listing. `compile_fail`
//!    blocks are kept from skeptic (it would compile them and fail) and checked
//!    by `tests/compile_fail.rs` instead.
//! 4. skeptic's generated tests become plain functions in a table, each with
//!    the name of its listing, so that the book's test harness
//!    (`tests/book.rs`, libtest-mimic) runs each as a test named after the
//!    listing; they call `build_checked` in `tests/checks/skeptic.rs`,
//!    which checks the text and keeps the program skeptic compiled, for the
//!    harness to run with its own checks.
//!
//! This script never fails on the book's content: a broken include or a bad
//! block is reported by a test, with the chapter's name.

use serde_json::json;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use mdbook_driver::MDBook;
use mdbook_driver::book::BookItem;
use mdbook_driver::builtin_renderers::MarkdownRenderer;
use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

#[path = "tests/common/hidden.rs"]
mod hidden;
#[allow(dead_code)] // the tests use the rest
#[path = "tests/common/includes.rs"]
mod includes;
use hidden::unhidden;

struct FencedBlock {
    /// 1-based line of the opening fence.
    line: usize,
    info: String,
    body: String,
}

fn main() {
    for path in ["book.toml", "src", "listings"] {
        println!("cargo:rerun-if-changed={path}");
    }
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap());

    let book = MDBook::load(&root).expect("book.toml or src/SUMMARY.md cannot be loaded");
    let (expanded, _) = book
        .preprocess_book(&MarkdownRenderer::new())
        .expect("mdBook's preprocessors failed");

    // Files this script writes keep their timestamps when their content does
    // not change: skeptic asks cargo to rerun this script when its inputs
    // change, and a file rewritten on every run would make every run rebuild
    // the tests.
    let skeptic_dir = out_dir.join("skeptic");
    fs::create_dir_all(&skeptic_dir).unwrap();

    let mut blocks = Vec::new();
    let mut chapters = Vec::new();
    // (markdown file for skeptic, the listing of each program in it, in order)
    let mut skeptic_inputs: Vec<(PathBuf, Vec<String>)> = Vec::new();
    let mut programs_seen = std::collections::HashSet::new();

    for item in expanded.iter() {
        let BookItem::Chapter(chapter) = item else {
            continue;
        };
        let Some(path) = &chapter.path else { continue };
        let chapter_file = Path::new("src").join(path);
        let chapter_file = chapter_file.to_str().unwrap().to_owned();
        let original = fs::read_to_string(root.join(&chapter_file)).unwrap_or_default();
        let original_blocks = fenced_blocks(&original);
        let expanded_blocks = fenced_blocks(&chapter.content);

        chapters.push(json!({
            "file": chapter_file,
            "title": chapter.name,
            "expanded": chapter.content,
        }));

        let mut skeptic_md = String::new();
        let mut skeptic_listings = Vec::new();
        for (index, block) in expanded_blocks.iter().enumerate() {
            // Expansion never adds or removes a fence (listings are .rs and
            // .txt files), so the n-th block of the source is the n-th here.
            let source = original_blocks.get(index);
            blocks.push(json!({
                "chapter": chapter_file,
                "number": index + 1,
                "line": source.map_or(0, |b| b.line),
                "info": block.info,
                "source": source.map_or("", |b| b.body.as_str()),
                "expanded": block.body,
            }));

            let tokens = includes::info_tokens(&block.info);
            // Blocks that show other parts of the same listing are the same
            // program once the hidden lines are shown: give skeptic each
            // program once (two runs of one cached binary would also race).
            // A block that shows a module of a multi-file listing
            // (`src/cpu.rs`) is not a program: skeptic compiles one file at
            // a time. Cargo builds and runs that listing, files and all.
            let included =
                source.map_or_else(Vec::new, |b| includes::includes_in(&chapter_file, &b.body));
            let listing_of = |include: &includes::Include| includes::listing_dir_of(&include.path);
            let module_excerpt = included
                .iter()
                .any(|i| listing_of(i).is_some() && !i.path.ends_with("src/main.rs"));
            if tokens.contains(&"rust")
                && !tokens.contains(&"compile_fail")
                && !module_excerpt
                && programs_seen.insert(unhidden(&block.body))
            {
                // tests/checks/structure.rs requires every rust block to
                // include a listing; name the others after their position.
                // (a listing's package is named like its directory).
                let listing = included
                    .iter()
                    .find_map(listing_of)
                    .and_then(|dir| Some(dir.file_name()?.to_str()?.to_owned()))
                    .unwrap_or_else(|| format!("block-{}", index + 1));
                skeptic_listings.push(listing.clone());
                write!(
                    skeptic_md,
                    "## {listing}\n\n```{}\n{}```\n\n",
                    block.info, block.body
                )
                .unwrap();
            }
        }
        if !skeptic_md.is_empty() {
            // One file per chapter; its name becomes the test names' prefix.
            let flat = chapter_file
                .trim_start_matches("src/")
                .trim_end_matches(".md")
                .replace('/', "__");
            let file = skeptic_dir.join(format!("{flat}.md"));
            write_if_changed(&file, &skeptic_md);
            skeptic_inputs.push((file, skeptic_listings));
        }
    }
    let book = json!({ "chapters": chapters, "blocks": blocks });
    write_if_changed(
        &out_dir.join("book.json"),
        &serde_json::to_string(&book).unwrap(),
    );

    // A chapter that no longer has programs leaves no stale input behind.
    for old in fs::read_dir(&skeptic_dir).unwrap().flatten() {
        if !skeptic_inputs.iter().any(|(file, _)| *file == old.path()) {
            fs::remove_file(old.path()).unwrap();
        }
    }
    skeptic_inputs.sort();
    let files: Vec<&PathBuf> = skeptic_inputs.iter().map(|(file, _)| file).collect();
    skeptic::generate_doc_tests(&files);
    let listings: Vec<&str> = skeptic_inputs
        .iter()
        .flat_map(|(_, listings)| listings.iter().map(String::as_str))
        .collect();
    // skeptic rewrites its file on every run; the tests include the table
    // made from it, which changes only when a program does.
    let generated = fs::read_to_string(out_dir.join("skeptic-tests.rs")).unwrap_or_default();
    write_if_changed(
        &out_dir.join("skeptic-table.rs"),
        &as_table(&generated, &listings),
    );
}

/// skeptic writes one `#[test] fn` per program, in the order of the files
/// and of the programs in them. This turns them into plain functions and
/// appends a table `SKEPTIC_TESTS: &[(listing, function)]`, and points every
/// call of skeptic's `run_test` at `build_checked` (tests/checks/skeptic.rs),
/// which keeps the compiled program instead of running it.
fn as_table(generated: &str, listings: &[&str]) -> String {
    let mut names = Vec::new();
    let mut out = String::new();
    let mut context = None;
    for line in generated.lines() {
        if line.trim() == "extern crate skeptic;" {
            continue;
        }
        let line = match line.strip_prefix("#[test] fn ") {
            Some(rest) => {
                names.push(rest.split('(').next().unwrap().to_owned());
                format!("fn {rest}")
            }
            None => match line.split_once("skeptic::rt::run_test(") {
                // Each call names its listing, which build_checked checks the
                // program against.
                Some((indent, arguments)) => {
                    let listing = listings[names.len() - 1];
                    context.get_or_insert_with(|| arguments.trim_end_matches(" s);").to_owned());
                    format!("{indent}super::build_checked({listing:?}, {arguments}")
                }
                None => line.to_owned(),
            },
        };
        out.push_str(&line);
        out.push('\n');
    }
    // skeptic's arguments but the program (the root, the output directory,
    // the target), for a check that hands skeptic a program of its own.
    let context = context.unwrap_or_else(|| "\"\", \"\", \"\",".to_owned());
    writeln!(
        out,
        "pub static SKEPTIC_CONTEXT: (&str, &str, &str) = ({context});"
    )
    .unwrap();
    assert_eq!(
        names.len(),
        listings.len(),
        "skeptic generated {} tests for {} programs",
        names.len(),
        listings.len()
    );
    out.push_str("pub static SKEPTIC_TESTS: &[(&str, fn())] = &[\n");
    for (name, listing) in names.iter().zip(listings) {
        // skeptic names a test after the heading it is under: the listing.
        let ident = listing.replace(['-', '/'], "_");
        assert!(name.contains(&ident), "{name} is not the test of {listing}");
        writeln!(out, "    ({listing:?}, {name}),").unwrap();
    }
    out.push_str("];\n");
    out
}

fn fenced_blocks(markdown: &str) -> Vec<FencedBlock> {
    let mut blocks = Vec::new();
    let mut current: Option<FencedBlock> = None;
    for (event, range) in Parser::new(markdown).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                let line = markdown[..range.start].matches('\n').count() + 1;
                current = Some(FencedBlock {
                    line,
                    info: info.to_string(),
                    body: String::new(),
                });
            }
            Event::Text(text) => {
                if let Some(block) = &mut current {
                    block.body.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(block) = current.take() {
                    blocks.push(block);
                }
            }
            _ => {}
        }
    }
    blocks
}

/// Leaves the file (and its timestamp) alone when nothing changed, so an
/// unchanged book does not rebuild the tests. A change goes to a new file
/// renamed over the old one, never through it: a `target/` copied with
/// hard links (`cp -al`) shares the old file with other worktrees.
fn write_if_changed(path: &Path, contents: &str) {
    if fs::read_to_string(path).ok().as_deref() != Some(contents) {
        let fresh = path.with_extension("new");
        fs::write(&fresh, contents).unwrap();
        fs::rename(&fresh, path).unwrap();
    }
}
