//! A listing whose `main` runs on tokio's paused clock needs tokio's
//! `test-util` feature in `[dependencies]`, which a reader's own project does
//! not have unless told: the book says so right above the listing's first
//! caption on each page that shows it, with `PAUSED_CLOCK_NOTE` (a caption
//! note, like "Linux only"). Tests that
//! start paused (`#[tokio::test(start_paused = true)]`) need it only in
//! `[dev-dependencies]`, as the set-up page shows, and need no note.

use libtest_mimic::Trial;

use crate::checks::linux_only::{captions_with_notes, listings, pages};
use crate::common::schedule::trial;
use crate::common::{Outcome, Problems};

pub fn trials() -> Vec<Trial> {
    vec![
        trial(
            "structure::paused-clock-listings-are-marked",
            the_book_says_which_listings_need_test_util,
        ),
        trial(
            "structure::paused-clock-check-finds-something",
            the_paused_clock_check_finds_something,
        ),
    ]
}

/// How a caption note about the paused clock begins; the rest of it links
/// to the set-up page, with a path that depends on the page.
const PAUSED_CLOCK_NOTE: &str =
    r#"<p class="caption">Paused clock: needs tokio's <code>test-util</code> feature"#;

/// Where the note links: the set-up page's section on the paused clock.
const PAUSED_CLOCK_LINK: &str = "setup.html#a-listing-on-a-paused-clock\"";

/// Whether the program (its code outside `#[cfg(test)]`) starts tokio's
/// clock paused.
fn main_starts_paused(source: &str) -> bool {
    source.split("#[cfg(test)]").next().is_some_and(|program| {
        program.contains("start_paused = true") || program.contains(".start_paused(true)")
    })
}

fn the_book_says_which_listings_need_test_util() -> Outcome {
    let pages = pages();
    let all_captions = captions_with_notes(&pages);
    let mut problems = Problems::default();
    for (name, source) in listings() {
        let paused = main_starts_paused(&source);
        let mut seen_pages = Vec::new();
        let captions = all_captions.get(name.as_str()).cloned().unwrap_or_default();
        for (page, notes) in captions {
            // The first caption of the listing on each page carries the
            // note; the listing's other parts on that page need not repeat it.
            if seen_pages.contains(&page) {
                continue;
            }
            seen_pages.push(page);
            let marked = notes.iter().any(|note| note.starts_with(PAUSED_CLOCK_NOTE));
            if paused && !marked {
                problems.add(format!(
                    "{}: {name} starts its main on the paused clock: its caption needs a note \
                     above it that begins {PAUSED_CLOCK_NOTE}",
                    page.display()
                ));
            }
            let unlinked = notes.iter().any(|note| {
                note.starts_with(PAUSED_CLOCK_NOTE) && !note.contains(PAUSED_CLOCK_LINK)
            });
            if unlinked {
                problems.add(format!(
                    "{}: the paused-clock note of {name} must link to the set-up section, \
                     setup.html{}",
                    page.display(),
                    PAUSED_CLOCK_LINK.trim_start_matches("setup.html")
                ));
            }
            if !paused && marked {
                problems.add(format!(
                    "{}: {name} does not start its main paused but is marked as needing test-util",
                    page.display()
                ));
            }
        }
    }
    problems.verdict("the paused-clock notes")
}

fn the_paused_clock_check_finds_something() -> Outcome {
    // Guards against a check that cannot fail: if no listing were found
    // starting paused (a changed attribute spelling, say), the check above
    // would pass whatever the pages say.
    if listings()
        .iter()
        .any(|(_, source)| main_starts_paused(source))
    {
        Ok(())
    } else {
        Err("no listing starts its main on the paused clock: is the detection right?".into())
    }
}
