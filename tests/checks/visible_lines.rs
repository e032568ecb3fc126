//! No wall of code: every fenced block of the expanded book shows the reader
//! at most `LIMIT` lines. In a `rust` block the lines mdBook hides (`# `, as
//! `rustdoc_include` marks everything outside an anchor) do not count; they
//! are a click away behind the eye button. In any other block (an output, a
//! shell session) every line counts. A longer program is shown in anchored
//! parts with prose between them, and the code that only checks a demo's
//! lesson stays out of view. One test per chapter,
//! `visible-lines::<chapter file>`.

use libtest_mimic::Trial;

use crate::common::book::{BLOCKS, Block, CHAPTERS};
use crate::common::schedule::trial;
use crate::common::{Outcome, Problems};

/// The most lines a block may show: about a screen.
const LIMIT: usize = 60;

pub fn trials() -> Vec<Trial> {
    CHAPTERS
        .iter()
        .map(|chapter| {
            let file = chapter.file.clone();
            trial(format!("visible-lines::{file}"), move || check_page(&file))
        })
        .collect()
}

fn check_page(file: &str) -> Outcome {
    let mut problems = Problems::default();
    for block in BLOCKS.iter().filter(|b| b.chapter == file) {
        let count = visible_lines(block);
        if count > LIMIT {
            problems.add(format!(
                "{}: shows {count} lines, at most {LIMIT}: {}. Show a long program in \
                 anchored parts with prose between them, and move the code that checks \
                 the lesson outside the anchors.",
                block.location(),
                shown_from(block),
            ));
        }
    }
    problems.verdict(&format!(
        "blocks of {file} longer than {LIMIT} visible lines"
    ))
}

/// The lines the reader sees without pressing the eye button.
fn visible_lines(block: &Block) -> usize {
    let rust = block.is_rust();
    block
        .expanded
        .trim_end_matches('\n')
        .lines()
        .filter(|line| !(rust && is_hidden(line)))
        .count()
}

/// mdBook's rule for a hidden line of a `rust` block (the one `unhidden`
/// in common/hidden.rs undoes): `# ` after the indentation, or a lone `#`.
fn is_hidden(line: &str) -> bool {
    let trimmed = line.trim_start();
    trimmed.starts_with("# ") || trimmed == "#"
}

/// What the block includes (`listings/processes/proc-cost/src/main.rs:units`),
/// or its info string when it includes nothing.
fn shown_from(block: &Block) -> String {
    match block.includes().first() {
        Some(include) => match &include.anchor {
            Some(anchor) => format!("{}:{anchor}", include.path.display()),
            None => include.path.display().to_string(),
        },
        None => format!("a `{}` block written in the page", block.info),
    }
}
