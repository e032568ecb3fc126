//! What a chapter includes, and which listing a file belongs to: the one
//! place that reads `{{#include}}` paths and code blocks' info strings,
//! shared by `build.rs` and the tests.

use std::path::{Component, Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;

/// A `{{#include path}}` or `{{#rustdoc_include path:anchor}}`.
#[derive(Debug, Clone)]
pub struct Include {
    pub rustdoc: bool,
    /// Relative to the repository root: `listings/three-models/x/src/main.rs`.
    pub path: PathBuf,
    pub anchor: Option<String>,
}

static INCLUDE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\{\{#(include|rustdoc_include)\s+([^}\s:]+)(?::([^}\s]+))?\s*\}\}").unwrap()
});

/// Every include in `text`, a part of chapter `chapter` (`src/threads/x.md`).
pub fn includes_in(chapter: &str, text: &str) -> Vec<Include> {
    let chapter_dir = Path::new(chapter).parent().unwrap_or(Path::new(""));
    INCLUDE
        .captures_iter(text)
        .map(|c| Include {
            rustdoc: &c[1] == "rustdoc_include",
            path: normalize(&chapter_dir.join(&c[2])),
            anchor: c.get(3).map(|a| a.as_str().to_owned()),
        })
        .collect()
}

/// `listings/<chapter>/<listing>` for any path inside a listing crate.
pub fn listing_dir_of(path: &Path) -> Option<PathBuf> {
    let mut parts = path.components();
    let first = parts.next()?;
    if first.as_os_str() != "listings" {
        return None;
    }
    let chapter = parts.next()?;
    let listing = parts.next()?;
    parts.next()?; // a file inside it
    Some(Path::new("listings").join(chapter).join(listing))
}

/// `src/../listings/x` -> `listings/x`, without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// A listing's source as mdBook shows it whole: without the lines that hold
/// its `ANCHOR:` and `ANCHOR_END:` markers (mdBook drops those lines).
pub fn without_anchor_lines(source: &str) -> String {
    source
        .lines()
        .filter(|line| !line.contains("ANCHOR:") && !line.contains("ANCHOR_END:"))
        .map(|line| format!("{line}\n"))
        .collect()
}

/// The tokens of a code block's info string, split the way rustdoc and
/// skeptic split them (`rust,compile_fail,E0373` gives three).
pub fn info_tokens(info: &str) -> Vec<&str> {
    info.split(|c: char| !(c == '_' || c == '-' || c.is_alphanumeric()))
        .filter(|t| !t.is_empty())
        .collect()
}
