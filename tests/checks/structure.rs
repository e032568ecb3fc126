//! The shape of the book: every listing is in a chapter, every `rust` block
//! is a whole listing, every include resolves, the crates the listings use are
//! the ones skeptic gets, and every listing is edition 2024 (skeptic compiles
//! them with that edition too: checks/skeptic.rs).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use crate::common::Outcome;
use crate::common::book::{BLOCKS, CHAPTERS, MDBOOK_MARKDOWN, includes_in, listing_dir_of};
use crate::common::listings::WORKSPACE;
use crate::common::schedule::trial;
use crate::common::{Problems, root};
use cargo_metadata::DependencyKind;
use libtest_mimic::Trial;
use regex::Regex;

pub fn trials() -> Vec<Trial> {
    vec![
        trial(
            "structure::every-listing-is-included-by-a-chapter",
            every_listing_is_included_by_a_chapter,
        ),
        trial(
            "structure::every-rust-block-is-a-whole-listing",
            every_rust_block_is_a_whole_listing,
        ),
        trial(
            "structure::every-include-is-expanded",
            every_include_is_expanded,
        ),
        trial(
            "structure::every-anchor-is-included",
            every_anchor_is_included,
        ),
        trial(
            "structure::no-listing-name-holds-another",
            no_listing_name_holds_another,
        ),
        trial(
            "structure::compile-fail-samples-are-exactly-the-crates-the-workspace-excludes",
            compile_fail_samples_are_exactly_the_crates_the_workspace_excludes,
        ),
        trial(
            "structure::listings-use-only-crates-the-root-package-gives-skeptic",
            listings_use_only_crates_the_root_package_gives_skeptic,
        ),
        trial(
            "structure::listings-declare-every-crate-they-use",
            listings_declare_every_crate_they_use,
        ),
        trial(
            "structure::listings-are-edition-2024",
            listings_are_edition_2024,
        ),
        trial(
            "structure::every-shown-output-file-is-in-the-book",
            every_shown_output_file_is_in_the_book,
        ),
        trial(
            "structure::every-listing-has-a-caption",
            every_listing_has_a_caption,
        ),
        trial(
            "structure::links-named-after-a-listing-lead-to-it",
            links_named_after_a_listing_lead_to_it,
        ),
        trial(
            "structure::play-buttons-only-where-the-playground-can-run-the-listing",
            play_buttons_only_where_the_playground_can_run_the_listing,
        ),
        trial(
            "structure::teaching-pages-open-with-a-header-and-end-with-what-to-remember",
            teaching_pages_open_with_a_header_and_end_with_what_to_remember,
        ),
        trial(
            "structure::every-reference-link-has-a-definition",
            every_reference_link_has_a_definition,
        ),
    ]
}

/// A reference-style link, `[skeptic]` or `[text][skeptic]`, whose
/// `[skeptic]: URL` line is missing renders as plain bracketed text: mdBook
/// says nothing, and the reader gets no link. CI's link checker reports it
/// as a "potential incomplete link"; this finds it in `cargo test`, with
/// the parser and options mdBook uses. (A definition moved with half of a
/// split page once left one behind.)
fn every_reference_link_has_a_definition() -> Outcome {
    let mut problems = Problems::default();
    for chapter in CHAPTERS.iter() {
        let mut missing = Vec::new();
        let callback = |link: pulldown_cmark::BrokenLink<'_>| {
            missing.push(link.reference.to_string());
            None
        };
        pulldown_cmark::Parser::new_with_broken_link_callback(
            &chapter.expanded,
            MDBOOK_MARKDOWN,
            Some(callback),
        )
        .for_each(drop);
        for reference in missing {
            problems.add(format!(
                "{}: [{reference}] is written as a link but no `[{reference}]: URL` line defines it",
                chapter.file
            ));
        }
    }
    problems.verdict("reference links")
}

fn every_listing_is_included_by_a_chapter() -> Outcome {
    let included: BTreeSet<PathBuf> = BLOCKS
        .iter()
        .flat_map(|b| b.includes())
        .filter_map(|i| listing_dir_of(&i.path))
        .collect();
    let mut problems = Problems::default();
    for listing in WORKSPACE.all() {
        if !included.contains(&listing.dir) {
            problems.add(format!(
                "listing {} is included by no chapter in src/",
                listing.dir.display()
            ));
        }
    }
    problems.verdict("listings and chapters")
}

fn every_rust_block_is_a_whole_listing() -> Outcome {
    let mut problems = Problems::default();
    let rust_blocks: Vec<_> = BLOCKS.iter().filter(|b| b.is_rust()).collect();
    assert!(!rust_blocks.is_empty(), "the book has no rust block");
    for block in rust_blocks {
        let where_ = block.location();
        let includes = block.includes();
        let source = block.source.trim();
        let only_an_include =
            includes.len() == 1 && source.starts_with("{{#") && source.ends_with("}}");
        if !only_an_include {
            problems.add(format!(
                "{where_}: a rust block must be exactly one {{{{#rustdoc_include}}}} of a listing \
                 (runnable code lives in listings/), found:\n{}",
                block.source
            ));
            continue;
        }
        let include = &includes[0];
        let Some(dir) = listing_dir_of(&include.path) else {
            problems.add(format!(
                "{where_}: includes {} which is not in a listing crate",
                include.path.display()
            ));
            continue;
        };
        let module_excerpt = !include.path.ends_with("src/main.rs");
        if module_excerpt && !is_module_of(&dir, &include.path) {
            problems.add(format!(
                "{where_}: includes {}, which is neither a listing's src/main.rs nor a module \
                 that its src/main.rs declares",
                include.path.display()
            ));
            continue;
        }
        if module_excerpt && !block.tokens().contains(&"noplayground") {
            problems.add(format!(
                "{where_}: an excerpt of a module of {} cannot run on its own: \
                 add `noplayground` to its info string",
                dir.display()
            ));
        }
        if !include.rustdoc {
            problems.add(format!(
                "{where_}: use {{{{#rustdoc_include}}}} for code, so that the lines outside the anchor \
                 stay in the program (hidden)"
            ));
        }
        if !module_excerpt && !block.program().contains("fn main(") {
            problems.add(format!(
                "{where_}: listing {} has no fn main: not a complete program",
                dir.display()
            ));
        }
        if include.anchor.is_some()
            && block
                .expanded
                .lines()
                .all(|l| l.starts_with("# ") || l == "#" || l.is_empty())
        {
            problems.add(format!(
                "{where_}: anchor {:?} shows nothing: it is not in {}",
                include.anchor.as_deref().unwrap_or_default(),
                include.path.display()
            ));
        }
        for token in block.tokens() {
            if ["ignore", "no_run"].contains(&token) {
                problems.add(format!(
                    "{where_}: `{token}` would keep the block from running; every listing runs"
                ));
            }
        }
    }
    problems.verdict("the rust blocks")
}

/// `listings/x/y/src/cpu.rs` is a module of listing `listings/x/y` when its
/// `src/main.rs` declares `mod cpu;`. skeptic does not compile such an
/// excerpt (it compiles one file at a time); cargo builds and runs the
/// listing with all its files, and its output is checked like any other.
fn is_module_of(dir: &std::path::Path, file: &std::path::Path) -> bool {
    let Some(module) = file.file_stem().map(|s| s.to_string_lossy().into_owned()) else {
        return false;
    };
    let main = std::fs::read_to_string(root().join(dir).join("src/main.rs")).unwrap_or_default();
    file.parent() == Some(&dir.join("src"))
        && main.lines().any(|l| l.trim() == format!("mod {module};"))
}

/// `cargo test -- NAME` runs the tests whose names contain NAME: that is
/// exactly one listing's checks only while no listing's name holds another's.
fn no_listing_name_holds_another() -> Outcome {
    let mut problems = Problems::default();
    for listing in WORKSPACE.all() {
        for other in WORKSPACE.all() {
            if listing.name != other.name && other.name.contains(&listing.name) {
                problems.add(format!(
                    "`cargo test -- {}` would also run the checks of {}: rename one",
                    listing.name, other.name
                ));
            }
        }
    }
    problems.verdict("the listings' names")
}

fn every_include_is_expanded() -> Outcome {
    let mut problems = Problems::default();
    for chapter in CHAPTERS.iter() {
        for (number, line) in chapter.expanded.lines().enumerate() {
            if line.contains("{{#") {
                problems.add(format!(
                    "{}: an include was not expanded (a missing file?): {line:?} (line {} of the expanded chapter)",
                    chapter.file,
                    number + 1
                ));
            }
        }
    }
    for block in BLOCKS.iter() {
        for include in block.includes() {
            if !root().join(&include.path).is_file() {
                problems.add(format!(
                    "{}: includes {}, which does not exist",
                    block.location(),
                    include.path.display()
                ));
            }
        }
    }
    problems.verdict("the includes")
}

/// Every `ANCHOR: name` in a listing's files is included by some page: an
/// anchor no page shows is dead text, often left behind when a page stopped
/// showing that part.
fn every_anchor_is_included() -> Outcome {
    let mut included: BTreeSet<(PathBuf, String)> = BTreeSet::new();
    for chapter in CHAPTERS.iter() {
        let raw = std::fs::read_to_string(root().join(&chapter.file)).unwrap_or_default();
        for include in includes_in(&chapter.file, &raw) {
            if let Some(anchor) = include.anchor {
                included.insert((include.path, anchor));
            }
        }
    }
    static ANCHOR: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"ANCHOR:\s*([A-Za-z0-9_-]+)").unwrap());
    let mut problems = Problems::default();
    for listing in WORKSPACE.all() {
        let files = walkdir::WalkDir::new(root().join(&listing.dir))
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.file_name() != "target")
            .flatten()
            .filter(|e| e.file_type().is_file());
        for file in files {
            let Ok(text) = std::fs::read_to_string(file.path()) else {
                continue;
            };
            let path = crate::common::relative(file.path());
            for anchor in ANCHOR.captures_iter(&text) {
                if !included.contains(&(path.clone(), anchor[1].to_owned())) {
                    problems.add(format!(
                        "{}: anchor {:?} is included by no page: remove its ANCHOR lines or \
                         show it",
                        path.display(),
                        &anchor[1]
                    ));
                }
            }
        }
    }
    problems.verdict("the anchors")
}

fn compile_fail_samples_are_exactly_the_crates_the_workspace_excludes() -> Outcome {
    let mut problems = Problems::default();
    let mut compile_fail_dirs = BTreeSet::new();
    for block in BLOCKS.iter() {
        let Some(dir) = block.listing_dir() else {
            continue;
        };
        let excluded = WORKSPACE.is_excluded(&dir);
        if block.is_compile_fail() {
            compile_fail_dirs.insert(dir.clone());
            if !excluded {
                problems.add(format!(
                    "{}: compile_fail sample {} must be listed in the workspace's `exclude`",
                    block.location(),
                    dir.display()
                ));
            }
        } else if excluded && block.is_rust() {
            problems.add(format!(
                "{}: {} is excluded from the workspace, so only a compile_fail block may show it",
                block.location(),
                dir.display()
            ));
        }
    }
    for sample in WORKSPACE.excluded() {
        if !compile_fail_dirs.contains(&sample.dir) {
            problems.add(format!(
                "{} is excluded from the workspace but no compile_fail block shows it",
                sample.dir.display()
            ));
        }
    }
    problems.verdict("the compile_fail samples")
}

fn listings_use_only_crates_the_root_package_gives_skeptic() -> Outcome {
    let root_package = WORKSPACE.metadata.root_package().expect("no root package");
    let provided: Vec<_> = root_package
        .dependencies
        .iter()
        .filter(|d| d.kind == DependencyKind::Development)
        .collect();
    let mut problems = Problems::default();
    for listing in WORKSPACE.members() {
        for dep in &listing.member().dependencies {
            let Some(given) = provided.iter().find(|p| p.name == dep.name) else {
                problems.add(format!(
                    "listing {} uses `{}`, which is not a [dev-dependencies] of the root package: \
                     skeptic could not compile it",
                    listing.name, dep.name
                ));
                continue;
            };
            for feature in &dep.features {
                if !given.features.contains(feature) {
                    problems.add(format!(
                        "listing {} uses feature `{feature}` of `{}`, which the root package does not enable",
                        listing.name, dep.name
                    ));
                }
            }
        }
    }
    problems.verdict("the listings' dependencies")
}

/// A listing whose program skeptic builds is never built by cargo in the
/// tests (`Listing::is_run_from_cargos_build`), and skeptic hands every
/// program all the root package's crates: a `main.rs` that names a crate its
/// own `Cargo.toml` does not list would pass here and fail the reader's
/// `cargo run -p`. Every source file of every listing is read, comments
/// left out, for the crates the root package provides.
fn listings_declare_every_crate_they_use() -> Outcome {
    let root_package = WORKSPACE.metadata.root_package().expect("no root package");
    let provided: Vec<String> = root_package
        .dependencies
        .iter()
        .filter(|d| d.kind == DependencyKind::Development)
        .map(|d| d.name.replace('-', "_"))
        .collect();
    let mut problems = Problems::default();
    for listing in WORKSPACE.members() {
        let declared: BTreeSet<String> = listing
            .member()
            .dependencies
            .iter()
            .map(|d| d.name.replace('-', "_"))
            .collect();
        let code = sources_without_comments(&listing.dir);
        for krate in &provided {
            if !declared.contains(krate) && names_crate(&code, krate) {
                problems.add(format!(
                    "listing {} uses the crate `{krate}`, which its Cargo.toml does not list: \
                     `cargo run -p {}` would not compile it",
                    listing.name, listing.name
                ));
            }
        }
    }
    problems.verdict("the crates the listings use")
}

/// Every `.rs` file under a listing's `src/`, with `//` comments removed.
fn sources_without_comments(dir: &Path) -> String {
    walkdir::WalkDir::new(root().join(dir).join("src"))
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .flat_map(|text| {
            text.lines()
                .map(|line| line.split("//").next().unwrap_or("").to_owned())
                .collect::<Vec<_>>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether `code` names `krate` as a path (`tokio::spawn`, `#[tokio::main]`)
/// or in a `use` (`use rayon;`, `use rayon::prelude::*`).
fn names_crate(code: &str, krate: &str) -> bool {
    // Most blocks do not mention the crate at all: skip compiling a
    // regular expression for them (this runs for every block and crate).
    if !code.contains(krate) {
        return false;
    }
    let pattern = format!(r"(^|[^\w:]){krate}\s*::|\buse\s+{krate}\b|\bextern\s+crate\s+{krate}\b");
    Regex::new(&pattern).unwrap().is_match(code)
}

/// Listings built with another edition on purpose, and that edition: each
/// shows what edition 2024 changed by running an edition-2024 listing's own
/// file (`include!`) as the older edition. The book shows their output only,
/// never their source as a `rust` block, so skeptic never compiles them.
const OTHER_EDITION_LISTINGS: &[(&str, &str)] = &[("threads-guard-edition-2021", "2021")];

fn listings_are_edition_2024() -> Outcome {
    let mut problems = Problems::default();
    for listing in WORKSPACE.members() {
        let wanted = OTHER_EDITION_LISTINGS
            .iter()
            .find(|(name, _)| *name == listing.name)
            .map_or("2024", |&(_, edition)| edition);
        if listing.member().edition.as_str() != wanted {
            problems.add(format!(
                "listing {} is edition {}, not {wanted}",
                listing.name,
                listing.member().edition
            ));
        }
        let dir_name = listing.dir.file_name().unwrap().to_string_lossy();
        if listing.name != dir_name {
            problems.add(format!(
                "listing {} lives in {}: name the directory after the package",
                listing.name,
                listing.dir.display()
            ));
        }
        if listing.description.is_empty() {
            problems.add(format!(
                "listing {} has no description in its Cargo.toml",
                listing.name
            ));
        }
    }
    problems.verdict("the editions")
}

fn every_shown_output_file_is_in_the_book() -> Outcome {
    let included: BTreeSet<PathBuf> = BLOCKS
        .iter()
        .flat_map(|b| b.includes())
        .map(|i| i.path)
        .collect();
    let mut problems = Problems::default();
    for listing in WORKSPACE.all() {
        let output = listing.dir.join("output.txt");
        if root().join(&output).exists() && !included.contains(&output) {
            problems.add(format!(
                "{} is checked but no chapter shows it",
                output.display()
            ));
        }
    }
    problems.verdict("the output files")
}

/// The line before every listing names it and says how to run it, so a
/// reader can always find the crate: `Listing <code>NAME</code> · ...`. The
/// first caption of a listing on a page carries its name as `id`, so that a
/// link can lead to the listing itself (`spawn-join.md#threads-spawn-join`).
/// A listing shown in several parts says which part each is (`, part 2 of
/// 3`), so that a reader does not take a part for a new program. The parts
/// are numbered across the book, in reading order: a listing that one page
/// starts and the next continues goes on from part 3 to part 4, so the
/// reader sees that it is the same program. A sample that does not compile
/// gives the command that shows its error.
fn every_listing_has_a_caption() -> Outcome {
    let mut problems = Problems::default();
    let listings: Vec<_> = BLOCKS
        .iter()
        .filter(|b| b.is_rust())
        .filter_map(|block| {
            let dir = block.listing_dir()?;
            let name = dir.file_name()?.to_string_lossy().into_owned();
            Some((block, dir, name))
        })
        .collect();
    // How many parts each listing has in the whole book, then which part is
    // which; the blocks come in reading order. The first part on each page
    // carries the id that links to the listing lead to.
    let mut parts: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, _, name) in &listings {
        *parts.entry(name).or_default() += 1;
    }
    let mut shown: BTreeMap<&str, usize> = BTreeMap::new();
    let mut on_page: BTreeSet<(&str, &str)> = BTreeSet::new();
    for (block, dir, name) in &listings {
        let part = *shown.entry(name).and_modify(|n| *n += 1).or_insert(1);
        let id = if on_page.insert((block.chapter.as_str(), name.as_str())) {
            format!(r#" id="{name}""#)
        } else {
            String::new()
        };
        let of = parts[name.as_str()];
        let name_and_part = if of > 1 {
            format!("<code>{name}</code>, part {part} of {of}")
        } else {
            format!("<code>{name}</code>")
        };
        let expected = if block.is_compile_fail() {
            format!(
                r#"<p class="caption"{id}>Listing {name_and_part} · does not compile: <code>cargo build --manifest-path {}/Cargo.toml</code></p>"#,
                dir.display()
            )
        } else {
            format!(
                r#"<p class="caption"{id}>Listing {name_and_part} · <code>cargo run -p {name}</code></p>"#
            )
        };
        let source = std::fs::read_to_string(root().join(&block.chapter)).unwrap();
        let before = source
            .lines()
            .take(block.line.saturating_sub(1))
            .filter(|l| !l.trim().is_empty())
            .last()
            .unwrap_or("");
        if before.trim() != expected {
            problems.add(format!(
                "{}: the line before the listing should be\n  {expected}\nbut is\n  {}",
                block.location(),
                before.trim()
            ));
        }
    }
    problems.verdict("the listings' captions")
}

/// A link whose text is a listing's name, like [`threads-spawn-join`](threads/spawn-join.md),
/// must lead to a page that shows that listing (the decision guide, the
/// conclusion and the Python-to-Rust appendix are made of such links).
fn links_named_after_a_listing_lead_to_it() -> Outcome {
    let link = regex::Regex::new(r"\[`([a-z0-9-]+)`\]\(([^)#\s]+\.md)(#[^)]*)?\)").unwrap();
    let names: BTreeSet<&str> = WORKSPACE.all().map(|l| l.name.as_str()).collect();
    let mut problems = Problems::default();
    for chapter in CHAPTERS.iter() {
        let source = std::fs::read_to_string(root().join(&chapter.file)).unwrap();
        let dir = std::path::Path::new(&chapter.file).parent().unwrap();
        for found in link.captures_iter(&source) {
            let (name, target) = (&found[1], &found[2]);
            if !names.contains(name) {
                continue;
            }
            let fragment = found.get(3).map_or("", |f| f.as_str());
            if fragment != format!("#{name}") {
                problems.add(format!(
                    "{}: the link to `{name}` should lead to the listing itself: {target}#{name}",
                    chapter.file
                ));
            }
            let page = crate::common::book::normalize(&dir.join(target));
            let shows_it = BLOCKS.iter().any(|b| {
                std::path::Path::new(&b.chapter) == page
                    && b.listing_dir().is_some_and(|d| d.ends_with(name))
            });
            if !shows_it {
                problems.add(format!(
                    "{}: the link to `{name}` leads to {}, which does not show that listing",
                    chapter.file,
                    page.display()
                ));
            }
        }
    }
    problems.verdict("the links to listings")
}

/// The Rust Playground runs a listing only if it needs nothing the playground
/// lacks: no other process, no fork or signal, no socket, no file, no /proc,
/// and no crate beyond the popular ones it ships (tokio, crossbeam, rayon).
/// Every other `rust` block says `noplayground`, so that the book offers no
/// play button that cannot work; and a listing that can run there gets one.
fn play_buttons_only_where_the_playground_can_run_the_listing() -> Outcome {
    const NEEDS_THE_MACHINE: &[&str] = &[
        "Command",
        "fork",
        "nix::",
        "std::net",
        "tokio::net",
        "std::fs",
        "fs::",
        "current_exe",
        "std::os::unix",
        "signal",
        "TcpListener",
        "TcpStream",
        "UnixStream",
        "/proc/",
        "temp_dir",
    ];
    const ON_THE_PLAYGROUND: &[&str] = &["tokio", "crossbeam", "rayon"];
    let mut problems = Problems::default();
    for block in BLOCKS.iter().filter(|b| b.is_rust()) {
        let Some(dir) = block.listing_dir() else {
            continue;
        };
        let Some(listing) = WORKSPACE.find(&dir) else {
            continue; // every_rust_block_is_a_whole_listing reports it
        };
        let source = std::fs::read_to_string(root().join(&dir).join("src/main.rs")).unwrap();
        let mut reasons: Vec<String> = NEEDS_THE_MACHINE
            .iter()
            .filter(|marker| source.contains(*marker))
            .map(|marker| format!("uses `{marker}`"))
            .collect();
        // Only the plain [dependencies]: a `cfg(loom)` dependency is not
        // part of the program the Playground would build.
        reasons.extend(
            listing
                .crates
                .iter()
                .filter(|name| !ON_THE_PLAYGROUND.contains(&name.as_str()))
                .map(|name| format!("needs the crate `{name}`")),
        );
        let marked = block.tokens().contains(&"noplayground");
        if reasons.is_empty() && marked {
            problems.add(format!(
                "{}: {} can run on the Playground: drop `noplayground`",
                block.location(),
                dir.display()
            ));
        } else if !reasons.is_empty() && !marked {
            problems.add(format!(
                "{}: {} cannot run on the Playground ({}): add `noplayground` to its info string",
                block.location(),
                dir.display(),
                reasons.join(", ")
            ));
        }
    }
    problems.verdict("the play buttons")
}

/// Every teaching page opens, under its title, with one header in one form,
/// `> **Core** · You will learn ... · Assumes: ...` (or `**Everyday**` on a
/// chapter's everyday path, `**Deeper**`, or `**Recap**` for a page that
/// sums a chapter up: checks/paths.rs), and ends with one summary
/// in one form: a last `## What to remember` section holding at least one
/// self-check question in a `<details>` element. Index pages, exercise pages,
/// appendices, the introduction and the set-up page are not teaching pages.
fn teaching_pages_open_with_a_header_and_end_with_what_to_remember() -> Outcome {
    const MARKS: [&str; 4] = [
        "> **Core** · ",
        "> **Everyday** · ",
        "> **Deeper** · ",
        "> **Recap** · ",
    ];
    const SUMMARY: &str = "\n## What to remember\n";
    let mut problems = Problems::default();
    let teaching = CHAPTERS.iter().filter(|c| {
        let file = c.file.as_str();
        !(file == "src/introduction.md"
            || file == "src/setup.md"
            || file.ends_with("/index.md")
            || Path::new(file)
                .file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with("exercises"))
            || file.starts_with("src/appendix/"))
    });
    for chapter in teaching {
        let file = &chapter.file;
        let source = match std::fs::read_to_string(root().join(file)) {
            Ok(source) => source,
            Err(e) => {
                problems.add(format!("{file}: cannot read it: {e}"));
                continue;
            }
        };
        // The header: the first lines after the title, up to a blank line.
        let mut lines = source.lines().skip_while(|l| !l.starts_with("# ")).skip(1);
        let header: Vec<&str> = lines
            .by_ref()
            .skip_while(|l| l.trim().is_empty())
            .take_while(|l| !l.trim().is_empty())
            .collect();
        let joined = header.join(" ");
        if !MARKS.iter().any(|m| joined.starts_with(m)) {
            problems.add(format!(
                "{file}: the first lines under the title should be a header \
                 `> **Core** · You will learn ... · Assumes: ...` (or **Everyday**, **Deeper**, **Recap**)"
            ));
        } else if !joined.contains("Assumes:") {
            problems.add(format!(
                "{file}: the header does not say what the page assumes"
            ));
        }
        let Some(at) = source.rfind(SUMMARY) else {
            problems.add(format!("{file}: no `## What to remember` section"));
            continue;
        };
        let summary = &source[at + SUMMARY.len()..];
        if summary.lines().any(|l| l.starts_with("## ")) {
            problems.add(format!(
                "{file}: `## What to remember` is not the last section"
            ));
        }
        if !summary.contains("<details>\n<summary>Check yourself:") {
            problems.add(format!(
                "{file}: `## What to remember` has no self-check question \
                 (`<details>` + `<summary>Check yourself: ...</summary>`)"
            ));
        }
        for inline in ["\nWhat to remember:", "\n**Remember:**"] {
            if source.contains(inline) {
                problems.add(format!(
                    "{file}: an inline `{}` summary: use the `## What to remember` section",
                    inline.trim()
                ));
            }
        }
    }
    problems.verdict("the page headers and summaries")
}
