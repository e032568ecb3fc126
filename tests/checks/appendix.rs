//! The appendix that lists every listing is generated from the book itself
//! and must be complete and current. `BLESS=1 cargo test` rewrites it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::common::Outcome;
use crate::common::book::{BLOCKS, CHAPTERS};
use crate::common::listings::WORKSPACE;
use crate::common::schedule::trial;
use crate::common::{root, snapshot};
use libtest_mimic::Trial;

pub fn trials() -> Vec<Trial> {
    vec![trial(
        "appendix::the-listings-index-lists-every-listing",
        the_listings_index_lists_every_listing,
    )]
}

const APPENDIX: &str = "src/appendix/listings.md";

fn the_listings_index_lists_every_listing() -> Outcome {
    let generated = listings_index();
    let file = root().join(APPENDIX);
    snapshot::matches(
        "the index of the listings the book has now",
        "appendix",
        &file,
        &generated,
    )?;
    for listing in WORKSPACE.all() {
        let name = &listing.name;
        assert!(
            generated.contains(&format!("`{name}`")),
            "the index misses listing {name}"
        );
    }
    Ok(())
}

/// One table per chapter, in the book's order; each listing once, where the
/// book first shows it.
fn listings_index() -> String {
    let mut out = String::from(
        "# Appendix: all listings\n\n\
         Every program in the book, in the order the chapters show them. Each is a crate of\n\
         the book's workspace: run it from the repository's root with the command shown.\n\
         Samples that do not compile are crates outside the workspace; the book shows\n\
         their compiler errors. This page is generated from the book itself.\n",
    );
    let mut seen: Vec<PathBuf> = Vec::new();
    for chapter in CHAPTERS.iter() {
        if chapter.file == APPENDIX {
            continue;
        }
        let mut rows = String::new();
        for block in BLOCKS
            .iter()
            .filter(|b| b.chapter == chapter.file && (b.is_rust() || shown_by_output_only(b)))
        {
            let Some(dir) = block.listing_dir() else {
                continue;
            };
            if seen.contains(&dir) {
                continue;
            }
            seen.push(dir.clone());
            let listing = WORKSPACE.find(&dir).unwrap_or_else(|| {
                panic!(
                    "{}: no listing crate in {}",
                    block.location(),
                    dir.display()
                )
            });
            let name = &listing.name;
            let description = table_cell(&listing.description);
            let run = if block.is_compile_fail() {
                "does not compile".to_owned()
            } else {
                format!("`cargo run -p {name}`")
            };
            let page = relative_link(Path::new(APPENDIX), Path::new(&chapter.file));
            writeln!(
                rows,
                "| [`{name}`]({page}#{name}) | {description} | {run} |"
            )
            .unwrap();
        }
        if !rows.is_empty() {
            // A plain heading: mdBook's "on this page" list shows a heading
            // that is a link as an empty entry.
            let link = relative_link(Path::new(APPENDIX), Path::new(&chapter.file));
            write!(
                out,
                "\n## {title}\n\nIn [{title}]({link}):\n\n| Listing | What it shows | Run it |\n| --- | --- | --- |\n{rows}",
                title = chapter.title
            )
            .unwrap();
        }
    }
    out
}

/// A block that shows the output of a listing no `rust` block shows: such a
/// listing (`threads-guard-edition-2021`, one `include!` of another
/// listing's file) is listed where its output is.
fn shown_by_output_only(block: &crate::common::book::Block) -> bool {
    let Some(dir) = block.listing_dir() else {
        return false;
    };
    !block.is_rust()
        && !BLOCKS
            .iter()
            .any(|b| b.is_rust() && b.listing_dir().as_ref() == Some(&dir))
}

/// A description as a table cell: `|` would end the cell, `<` `>` `&`
/// outside code spans would be read as HTML (`Arc<Mutex<BTreeMap>>` became
/// a `<btreemap>` tag) and `[` `]` as a link (`#[instrument]`); inside
/// backticks they are already shown as written.
fn table_cell(description: &str) -> String {
    let mut cell = String::new();
    for (index, part) in description.split('`').enumerate() {
        if index > 0 {
            cell.push('`');
        }
        if index % 2 == 1 {
            cell.push_str(part);
        } else {
            cell.push_str(
                &part
                    .replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
                    .replace('[', "\\[")
                    .replace(']', "\\]"),
            );
        }
    }
    cell.replace('|', "\\|")
}

/// `src/appendix/listings.md` -> `src/threads/index.md` gives `../threads/index.md`.
fn relative_link(from: &Path, to: &Path) -> String {
    let from_dir: Vec<_> = from.parent().unwrap().components().collect();
    let to_parts: Vec<_> = to.components().collect();
    let common = from_dir
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut link = PathBuf::new();
    for _ in common..from_dir.len() {
        link.push("..");
    }
    for part in &to_parts[common..] {
        link.push(part);
    }
    link.display().to_string()
}
