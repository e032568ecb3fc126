//! Listings that use a Linux-only API must still build everywhere else (a
//! reader on macOS builds the whole workspace), and the book must say that
//! they run on Linux only.
//!
//! A listing that uses one of `LINUX_ONLY_APIS` must have two `main`s, one
//! under `#[cfg(target_os = "linux")]` and one under
//! `#[cfg(not(target_os = "linux"))]` (which prints one line saying so), and
//! the line above its caption in the chapter must be `LINUX_ONLY_NOTE`.
//! A listing that uses none of them must not carry the note.
//!
//! Self-contained on purpose: it reads the files with std only.

use std::fs;
use std::path::{Path, PathBuf};

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
];

/// The chapters whose listings are held to this rule.
const CHAPTERS: &[&str] = &["processes"];

/// The line the chapter puts right above the caption of a Linux-only listing.
const LINUX_ONLY_NOTE: &str = r#"<p class="caption">Linux only</p>"#;

const GATE: &str = "#[cfg(target_os = \"linux\")]\nfn main()";
const ELSEWHERE: &str = "#[cfg(not(target_os = \"linux\"))]\nfn main()";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// (listing name, its src/main.rs) for every listing of the chapters.
fn listings() -> Vec<(String, String)> {
    let mut found = Vec::new();
    for chapter in CHAPTERS {
        let dir = root().join("listings").join(chapter);
        for entry in fs::read_dir(&dir).expect("a listings directory") {
            let path = entry.expect("a directory entry").path();
            let main = path.join("src/main.rs");
            if main.exists() {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                found.push((name, fs::read_to_string(&main).expect("readable")));
            }
        }
    }
    found.sort();
    found
}

fn linux_only_uses(source: &str) -> Vec<&'static str> {
    LINUX_ONLY_APIS
        .iter()
        .filter(|(token, _)| source.contains(token))
        .map(|(_, what)| *what)
        .collect()
}

/// The chapter pages, as (path, text).
fn pages() -> Vec<(PathBuf, String)> {
    let mut found = Vec::new();
    for chapter in CHAPTERS {
        for entry in fs::read_dir(root().join("src").join(chapter)).expect("a chapter") {
            let path = entry.expect("a directory entry").path();
            if path.extension().is_some_and(|e| e == "md") {
                let text = fs::read_to_string(&path).expect("readable");
                found.push((path, text));
            }
        }
    }
    found
}

/// Whether `line` is a caption of listing `name` (with or without an `id`).
fn is_caption_of(line: &str, name: &str) -> bool {
    let line = line.trim();
    line.starts_with(r#"<p class="caption""#)
        && line.contains(&format!("Listing <code>{name}</code> · "))
}

/// For every caption of `name` in the pages: the non-blank line above it.
fn lines_above_captions<'a>(
    name: &str,
    pages: &'a [(PathBuf, String)],
) -> Vec<(&'a Path, &'a str)> {
    let mut found = Vec::new();
    for (path, text) in pages {
        let lines: Vec<&str> = text.lines().collect();
        for (n, line) in lines.iter().enumerate() {
            if is_caption_of(line, name) {
                let above = lines[..n]
                    .iter()
                    .rev()
                    .find(|l| !l.trim().is_empty())
                    .copied()
                    .unwrap_or("");
                found.push((path.as_path(), above.trim()));
            }
        }
    }
    found
}

#[test]
fn listings_that_use_linux_only_apis_are_gated() {
    let mut problems = Vec::new();
    for (name, source) in listings() {
        let uses = linux_only_uses(&source);
        if uses.is_empty() {
            continue;
        }
        let normalised = source.replace("\r\n", "\n");
        if !normalised.contains(GATE) || !normalised.contains(ELSEWHERE) {
            problems.push(format!(
                "{name} uses {} but lacks a `main` under #[cfg(target_os = \"linux\")] \
                 and another under #[cfg(not(target_os = \"linux\"))]",
                uses.join(", ")
            ));
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

#[test]
fn the_book_says_which_listings_are_linux_only() {
    let pages = pages();
    let mut problems = Vec::new();
    for (name, source) in listings() {
        let linux_only = !linux_only_uses(&source).is_empty();
        let captions = lines_above_captions(&name, &pages);
        if linux_only && captions.is_empty() {
            problems.push(format!("{name} (Linux only) has no caption in the chapter"));
        }
        for (page, above) in captions {
            let marked = above == LINUX_ONLY_NOTE;
            if linux_only && !marked {
                problems.push(format!(
                    "{}: the caption of {name} (Linux only) needs {LINUX_ONLY_NOTE} above it",
                    page.display()
                ));
            }
            if !linux_only && marked {
                problems.push(format!(
                    "{}: {name} uses no Linux-only API but is marked Linux only",
                    page.display()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

#[test]
fn the_list_of_linux_only_apis_finds_something() {
    // Guards against a check that cannot fail: a renamed directory or an
    // emptied list would make the tests above pass vacuously.
    let gated = listings()
        .iter()
        .filter(|(_, source)| !linux_only_uses(source).is_empty())
        .count();
    assert!(
        gated > 0,
        "no listing uses a Linux-only API: is the list right?"
    );
}
