//! Listings that use a Linux-only API must still build everywhere else (a
//! reader on macOS builds the whole workspace), and the book must say that
//! they run on Linux only.
//!
//! A listing that uses one of `LINUX_ONLY_APIS` must have two `main`s, one
//! under `#[cfg(target_os = "linux")]` and one under
//! `#[cfg(not(target_os = "linux"))]` (which prints one line saying so), and
//! one of the caption notes right above its caption in the chapter must be
//! `LINUX_ONLY_NOTE`.
//! A listing that uses none of them must not carry the note.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::common::schedule::trial;
use libtest_mimic::Trial;

use crate::common::book::CHAPTERS;
use crate::common::listings::WORKSPACE;
use crate::common::{Outcome, Problems, root};

pub fn trials() -> Vec<Trial> {
    vec![
        trial(
            "structure::linux-only-listings-are-gated",
            listings_that_use_linux_only_apis_are_gated,
        ),
        trial(
            "structure::linux-only-listings-are-marked",
            the_book_says_which_listings_are_linux_only,
        ),
        trial(
            "structure::linux-only-list-finds-something",
            the_list_of_linux_only_apis_finds_something,
        ),
    ]
}

/// The one list of APIs that exist on Linux only (or not on macOS), as
/// they appear in a listing's source.
const LINUX_ONLY_APIS: &[(&str, &str)] = &[
    ("/proc/", "the /proc file system"),
    ("waitid", "nix's waitid (not built for macOS)"),
    ("prctl", "prctl(2)"),
    ("memfd", "memfd_create(2)"),
    ("pidfd", "pidfd_open(2)"),
    (
        "pthread_mutexattr_setrobust",
        "robust mutexes (not on macOS)",
    ),
    ("PTHREAD_MUTEX_ROBUST", "robust mutexes (not on macOS)"),
    ("pipe2", "pipe2(2) (not on macOS)"),
    ("SocketAddrExt", "abstract Unix socket names"),
    ("epoll", "epoll(7)"),
    ("signalfd", "signalfd(2)"),
    (
        "\"gdb\"",
        "gdb attached to a running process (not on macOS's Apple silicon)",
    ),
];

/// The line the chapter puts right above the caption of a Linux-only listing.
const LINUX_ONLY_NOTE: &str = r#"<p class="caption">Linux only</p>"#;

const GATE: &str = "#[cfg(target_os = \"linux\")]\nfn main()";
const ELSEWHERE: &str = "#[cfg(not(target_os = \"linux\"))]\nfn main()";

/// (listing name, its sources) for every listing that builds.
pub(crate) fn listings() -> Vec<(String, String)> {
    WORKSPACE
        .members()
        .map(|listing| {
            let mut source = String::new();
            for file in fs::read_dir(root().join(&listing.dir).join("src"))
                .into_iter()
                .flatten()
                .flatten()
            {
                source.push_str(&fs::read_to_string(file.path()).unwrap_or_default());
            }
            (listing.name.clone(), source)
        })
        .collect()
}

fn linux_only_uses(source: &str) -> Vec<&'static str> {
    LINUX_ONLY_APIS
        .iter()
        .filter(|(token, _)| source.contains(token))
        .map(|(_, what)| *what)
        .collect()
}

/// Every chapter, as (path, text).
pub(crate) fn pages() -> Vec<(PathBuf, String)> {
    CHAPTERS
        .iter()
        .map(|c| {
            let text = fs::read_to_string(root().join(&c.file)).unwrap_or_default();
            (PathBuf::from(&c.file), text)
        })
        .collect()
}

/// The listing a caption line names (`<p class="caption" …>Listing
/// <code>name</code> · …`, with or without an `id`, and with or without
/// `, part K of N` after the name), if it is one.
fn caption_of(line: &str) -> Option<&str> {
    let line = line.trim();
    if !line.starts_with(r#"<p class="caption""#) {
        return None;
    }
    let (_, rest) = line.split_once("Listing <code>")?;
    let (name, rest) = rest.split_once("</code>")?;
    let well_formed = match rest.strip_prefix(", part ") {
        Some(part) => part.contains(" · "),
        None => rest.starts_with(" · "),
    };
    well_formed.then_some(name)
}

/// Every caption of a listing in the pages, by listing: the page, and the
/// notes right above it (the caption lines, `<p class="caption">…</p>`
/// that name no listing, between it and the text before), nearest first.
/// One pass over the pages serves every listing.
pub(crate) fn captions_with_notes(
    pages: &[(PathBuf, String)],
) -> HashMap<&str, Vec<(&Path, Vec<&str>)>> {
    let mut found: HashMap<&str, Vec<(&Path, Vec<&str>)>> = HashMap::new();
    for (path, text) in pages {
        let lines: Vec<&str> = text.lines().collect();
        for (n, line) in lines.iter().enumerate() {
            let Some(name) = caption_of(line) else {
                continue;
            };
            let notes = lines[..n]
                .iter()
                .rev()
                .map(|l| l.trim())
                .filter(|l| !l.is_empty())
                .take_while(|l| {
                    l.starts_with(r#"<p class="caption">"#) && !l.contains("Listing <code>")
                })
                .collect();
            found.entry(name).or_default().push((path.as_path(), notes));
        }
    }
    found
}

fn listings_that_use_linux_only_apis_are_gated() -> Outcome {
    let mut problems = Problems::default();
    for (name, source) in listings() {
        let uses = linux_only_uses(&source);
        if uses.is_empty() {
            continue;
        }
        let normalised = source.replace("\r\n", "\n");
        if !normalised.contains(GATE) || !normalised.contains(ELSEWHERE) {
            problems.add(format!(
                "{name} uses {} but lacks a `main` under #[cfg(target_os = \"linux\")] \
                 and another under #[cfg(not(target_os = \"linux\"))]",
                uses.join(", ")
            ));
        }
    }
    problems.verdict("the Linux-only listings")
}

fn the_book_says_which_listings_are_linux_only() -> Outcome {
    let pages = pages();
    let all_captions = captions_with_notes(&pages);
    let mut problems = Problems::default();
    for (name, source) in listings() {
        let linux_only = !linux_only_uses(&source).is_empty();
        let captions = all_captions.get(name.as_str()).cloned().unwrap_or_default();
        if linux_only && captions.is_empty() {
            problems.add(format!("{name} (Linux only) has no caption in the chapter"));
        }
        for (page, notes) in captions {
            let marked = notes.contains(&LINUX_ONLY_NOTE);
            if linux_only && !marked {
                problems.add(format!(
                    "{}: the caption of {name} (Linux only) needs {LINUX_ONLY_NOTE} above it",
                    page.display()
                ));
            }
            if !linux_only && marked {
                problems.add(format!(
                    "{}: {name} uses no Linux-only API but is marked Linux only",
                    page.display()
                ));
            }
        }
    }
    problems.verdict("the Linux-only listings")
}

fn the_list_of_linux_only_apis_finds_something() -> Outcome {
    // Guards against a check that cannot fail: a renamed directory or an
    // emptied list would make the tests above pass vacuously.
    let gated = listings()
        .iter()
        .filter(|(_, source)| !linux_only_uses(source).is_empty())
        .count();
    if gated == 0 {
        return Err("no listing uses a Linux-only API: is the list right?".into());
    }
    Ok(())
}
