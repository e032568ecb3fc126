//! The glossary (`src/appendix/glossary.md`) names, for each of the book's
//! terms, the page and anchor that define it. No page earlier in SUMMARY order
//! may use a term in its prose unless it links to that definition (or to the
//! term's glossary entry), and every definition the glossary links to exists.
//!
//! An entry of the glossary is a paragraph that starts with its anchor and
//! its term, ends with a link to the definition, and follows a comment that
//! lists what counts as a use of the term:
//!
//! ```text
//! <!-- match: thread, threads -->
//! <a id="thread"></a>**thread**: ... [Threads](../threads/index.md#threads).
//! ```
//!
//! The patterns, separated by commas, are matched as whole words:
//! - `` `Send` `` (in backticks) matches inside inline code only, as written;
//! - `task` (all lower case) matches in the prose outside code, in any case;
//! - `GIL` (with a capital) matches outside code, as written;
//! - a pattern ending in `(async/)` counts only on pages under `src/async/`,
//!   for words that mean the term only there ("task" outside the async
//!   chapter is any piece of work);
//! - `!in the future` (after `!`) is a phrase that is not a use, even though a
//!   pattern matches inside it.
//!
//! On a page before the defining one, the term's first use must be linked.
//! It is when the page links anywhere to the definition (`page.md#anchor`, or
//! `page.md` when the anchor is the page's title) or to the glossary entry;
//! when the use is the text of a link to the defining page
//! (`[pipes](pipes.md)`); or when the list item or table cell of the use
//! links to the defining page (a chapter's list of its pages names what each
//! one teaches).
//!
//! The glossary itself is checked too: each anchor once, each definition on a
//! page of the book under an anchor that exists, and each term found by its
//! own patterns on its defining page (a misspelt pattern finds nothing
//! anywhere, and would let every page pass).

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use std::sync::LazyLock;

use crate::common::book::{CHAPTERS, Chapter, MDBOOK_MARKDOWN};
use crate::common::schedule::trial;
use crate::common::{Outcome, Problems, root};
use libtest_mimic::Trial;
use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use regex::Regex;

pub fn trials() -> Vec<Trial> {
    vec![
        trial(
            "glossary::every-definition-the-glossary-links-to-exists",
            every_definition_the_glossary_links_to_exists,
        ),
        trial(
            "glossary::no-page-uses-a-term-before-its-definition-without-a-link",
            no_page_uses_a_term_before_its_definition_without_a_link,
        ),
        trial(
            "glossary::the-short-path-stands-alone",
            the_quick_path_stands_alone,
        ),
    ]
}

const GLOSSARY: &str = "src/appendix/glossary.md";

fn every_definition_the_glossary_links_to_exists() -> Outcome {
    let (entries, mut problems) = glossary();
    assert!(
        entries.len() >= 40,
        "{GLOSSARY} has {} entries: the book has more terms than that",
        entries.len()
    );
    let mut ids = BTreeSet::new();
    for entry in &entries {
        if !ids.insert(entry.id.as_str()) {
            problems.add(format!(
                "{GLOSSARY}:{}: anchor {:?} is used twice",
                entry.line, entry.id
            ));
        }
        let Some(page) = CHAPTERS.iter().find(|c| c.file == entry.page) else {
            problems.add(format!(
                "{GLOSSARY}:{}: {:?} is defined on {}, which is not a page of the book",
                entry.line, entry.term, entry.page
            ));
            continue;
        };
        let prose = Prose::of(page);
        if !prose.ids.contains(&entry.anchor) {
            problems.add(format!(
                "{GLOSSARY}:{}: {:?} is defined at {}#{}, but that page has no such anchor",
                entry.line, entry.term, entry.page, entry.anchor
            ));
        }
        // A pattern that finds nothing where the term is defined is misspelt
        // (and would find nothing on the pages before it either).
        if prose.uses(entry).next().is_none() {
            problems.add(format!(
                "{GLOSSARY}:{}: none of the patterns of {:?} finds it on {}, the page said to define it",
                entry.line, entry.term, entry.page
            ));
        }
    }
    problems.verdict("the glossary's links")
}

fn no_page_uses_a_term_before_its_definition_without_a_link() -> Outcome {
    let (entries, mut problems) = glossary();
    let pages: Vec<Prose> = CHAPTERS.iter().map(Prose::of).collect();
    let in_order: Vec<&Prose> = pages.iter().collect();
    for entry in &entries {
        if !in_order.iter().any(|p| p.file == entry.page) {
            continue; // the other check reports it
        }
        unlinked_uses_before_the_definition(
            &in_order,
            &pages,
            entry,
            "defines later",
            &mut problems,
        );
    }
    problems.verdict("terms used before the page that defines them")
}

/// The pages of the introduction's short reading path, in its order: the
/// links of the numbered list that follows the paragraph naming the path.
const QUICK_PATH_HEADING: &str = "**The short path**";

fn the_quick_path_stands_alone() -> Outcome {
    let (entries, mut problems) = glossary();
    let path = quick_path()?;
    let pages: Vec<Prose> = CHAPTERS.iter().map(Prose::of).collect();
    let mut in_order = Vec::new();
    for file in &path {
        match pages.iter().find(|p| p.file == file) {
            Some(page) => in_order.push(page),
            None => problems.add(format!(
                "the short path names {file}, not a page of the book"
            )),
        }
    }
    for entry in &entries {
        unlinked_uses_before_the_definition(
            &in_order,
            &pages,
            entry,
            "the short path skips or reaches later",
            &mut problems,
        );
    }
    problems.verdict("terms on the short path")
}

/// The pages the introduction's short path lists, as `src/...` files: the
/// list checks/paths.rs follows from footer to footer.
fn quick_path() -> Result<Vec<String>, String> {
    let files = crate::checks::paths::pages_of_path("src/introduction.md", QUICK_PATH_HEADING)?;
    if files.len() < 5 {
        return Err(format!(
            "the short path lists {} pages: is its list where the check looks?",
            files.len()
        ));
    }
    Ok(files)
}

/// Reports the first unlinked use of `entry` on each page of `in_order`
/// before the page that defines it (all of them, if none does). `all_pages`
/// is every page of the book, parsed once, where the defining page is found.
fn unlinked_uses_before_the_definition(
    in_order: &[&Prose],
    all_pages: &[Prose],
    entry: &Entry,
    when: &str,
    problems: &mut Problems,
) {
    let defining = in_order.iter().position(|p| p.file == entry.page);
    let definition = format!("{}#{}", entry.page, entry.anchor);
    let glossary_entry = format!("{GLOSSARY}#{}", entry.id);
    let mut targets = vec![definition.as_str(), glossary_entry.as_str()];
    let defining_page_title = all_pages
        .iter()
        .find(|p| p.file == entry.page)
        .is_some_and(|p| p.title.as_deref() == Some(entry.anchor.as_str()));
    if defining_page_title {
        targets.push(&entry.page); // the top of the page is the definition
    }
    for page in &in_order[..defining.unwrap_or(in_order.len())] {
        if page.file == GLOSSARY || page.links_to(&targets) {
            continue;
        }
        // The first use is the one to link; later ones may go without.
        let first_use = page.uses(entry).next().filter(|use_| {
            !page.links.iter().any(|l| {
                page_of(&l.target) == entry.page
                    && (l.range.contains(&use_.offset) || (l.item.is_some() && l.item == use_.item))
            })
        });
        if let Some(use_) = first_use {
            problems.add(format!(
                "{}:{}: uses {} (glossary term {}), which {} {when}; \
                 link its first use on this page to {definition} or to {glossary_entry}, \
                 or say it without the term",
                page.file,
                page.source_line(use_.offset),
                use_.text,
                entry.term,
                entry.page
            ));
        }
    }
}

/// One entry of the glossary.
struct Entry {
    /// Line of the entry in the glossary's source.
    line: usize,
    /// The entry's own anchor on the glossary page.
    id: String,
    term: String,
    patterns: Vec<Pattern>,
    /// `src/threads/index.md`
    page: String,
    anchor: String,
}

/// What counts as a use of a term (see the module's documentation).
struct Pattern {
    regex: Regex,
    in_code: bool,
    /// Only on pages under this folder of `src/`.
    scope: Option<String>,
    not: bool,
}

impl Pattern {
    fn parse(text: &str) -> Result<Pattern, String> {
        let mut text = text.trim();
        let not = text.starts_with('!');
        text = text.trim_start_matches('!');
        let mut scope = None;
        if let Some((words, folder)) = text.strip_suffix(')').and_then(|t| t.rsplit_once(" (")) {
            scope = Some(format!("src/{folder}"));
            text = words.trim();
        }
        let in_code = text.len() > 2 && text.starts_with('`') && text.ends_with('`');
        let words = text.trim_matches('`');
        if words.is_empty() || words.contains('`') {
            return Err(format!("pattern {text:?} is not a word or a code span"));
        }
        let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        let before = if word(words.chars().next()) {
            r"\b"
        } else {
            ""
        };
        let after = if word(words.chars().last()) {
            r"\b"
        } else {
            ""
        };
        // A lower-case word is the term at the start of a sentence too; a
        // capital letter (GIL) or code (`Send`) must match as written.
        let any_case = !in_code && !words.chars().any(char::is_uppercase);
        let flags = if any_case { "(?i)" } else { "" };
        let spaced = regex::escape(words).replace(' ', r"\s+");
        let regex = Regex::new(&format!("{flags}{before}{spaced}{after}")).unwrap();
        Ok(Pattern {
            regex,
            in_code,
            scope,
            not,
        })
    }

    fn applies_to(&self, page: &str) -> bool {
        self.scope.as_ref().is_none_or(|s| page.starts_with(s))
    }
}

/// The glossary's entries, and what is wrong with their form.
fn glossary() -> (Vec<Entry>, Problems) {
    let chapter = CHAPTERS
        .iter()
        .find(|c| c.file == GLOSSARY)
        .unwrap_or_else(|| panic!("{GLOSSARY} is not in src/SUMMARY.md"));
    let entry_start = Regex::new(r#"^<a id="([^"]+)"></a>\*\*(.+?)\*\*"#).unwrap();
    let match_comment = Regex::new(r"^<!-- match: (.*) -->$").unwrap();
    let link = Regex::new(r"\]\(([^)\s]+)\)").unwrap();
    let mut problems = Problems::default();
    let mut entries = Vec::new();
    let mut patterns: Option<(usize, Vec<Pattern>)> = None;
    let lines: Vec<&str> = chapter.expanded.lines().collect();
    let mut n = 0;
    while n < lines.len() {
        let line = lines[n];
        if let Some(found) = match_comment.captures(line) {
            if let Some((at, _)) = &patterns {
                problems.add(format!(
                    "{GLOSSARY}:{at}: a match comment with no entry after it"
                ));
            }
            let parsed: Result<Vec<Pattern>, String> =
                found[1].split(',').map(Pattern::parse).collect();
            match parsed {
                Ok(parsed) => patterns = Some((n + 1, parsed)),
                Err(e) => problems.add(format!("{GLOSSARY}:{}: {e}", n + 1)),
            }
        } else if let Some(found) = entry_start.captures(line) {
            let start = n;
            let mut paragraph = String::new();
            while n < lines.len() && !lines[n].trim().is_empty() {
                paragraph.push_str(lines[n]);
                paragraph.push(' ');
                n += 1;
            }
            let term = found[2].to_owned();
            let Some((_, patterns)) = patterns.take() else {
                problems.add(format!(
                    "{GLOSSARY}:{}: {term:?} has no <!-- match: ... --> comment on the line before it",
                    start + 1
                ));
                continue;
            };
            let target = link
                .captures_iter(&paragraph)
                .last()
                .map(|c| resolve(GLOSSARY, &c[1]));
            let Some((page, Some(anchor))) = target.as_deref().map(split_anchor) else {
                problems.add(format!(
                    "{GLOSSARY}:{}: {term:?} does not end with a link to page.md#anchor",
                    start + 1
                ));
                continue;
            };
            entries.push(Entry {
                line: start + 1,
                id: found[1].to_owned(),
                term,
                patterns,
                page: page.to_owned(),
                anchor: anchor.to_owned(),
            });
            continue;
        }
        n += 1;
    }
    if let Some((at, _)) = patterns {
        problems.add(format!(
            "{GLOSSARY}:{at}: a match comment with no entry after it"
        ));
    }
    (entries, problems)
}

/// A page's prose, as the glossary check reads it.
struct Prose<'a> {
    file: &'a str,
    expanded: &'a str,
    /// The prose outside code, one block (paragraph, list item, heading,
    /// table cell) at a time, with a code span as a blank.
    text: Vec<Piece>,
    /// Inline code spans.
    code: Vec<Piece>,
    links: Vec<Link>,
    /// The anchors the page defines.
    ids: BTreeSet<String>,
    /// The anchor of its title: a link to the page leads there.
    title: Option<String>,
}

struct Piece {
    block: usize,
    /// The innermost list item or table cell around it.
    item: Option<usize>,
    text: String,
    /// Where each part of `text` starts: (position in `text`, offset in the page).
    starts: Vec<(usize, usize)>,
}

struct Link {
    item: Option<usize>,
    /// Where the link is in the page, text and all.
    range: Range<usize>,
    /// `src/threads/index.md#threads`
    target: String,
}

struct Use {
    item: Option<usize>,
    offset: usize,
    text: String,
}

impl<'a> Prose<'a> {
    fn of(chapter: &'a Chapter) -> Prose<'a> {
        // Compiled once for all pages: this runs for every page, three times.
        static HTML_ID: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r#"\bid="([^"]+)""#).unwrap());
        static HTML_HREF: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r#"\bhref="([^"]+)""#).unwrap());
        let (html_id, html_href) = (&*HTML_ID, &*HTML_HREF);
        let mut prose = Prose {
            file: &chapter.file,
            expanded: &chapter.expanded,
            text: Vec::new(),
            code: Vec::new(),
            links: Vec::new(),
            ids: BTreeSet::new(),
            title: None,
        };
        let mut block = 0;
        let mut items: Vec<usize> = Vec::new();
        let mut in_code_block = false;
        let mut in_image = false;
        let mut heading: Option<(Option<String>, String)> = None;
        let mut used_ids = BTreeSet::new();
        for (event, range) in Parser::new_ext(&chapter.expanded, MDBOOK_MARKDOWN).into_offset_iter()
        {
            match event {
                Event::Start(Tag::CodeBlock(_)) => in_code_block = true,
                Event::End(TagEnd::CodeBlock) => in_code_block = false,
                Event::Start(Tag::Image { .. }) => in_image = true,
                Event::End(TagEnd::Image) => in_image = false,
                Event::Start(Tag::Paragraph | Tag::BlockQuote(_)) => block += 1,
                Event::Start(Tag::Item | Tag::TableCell) => {
                    block += 1;
                    items.push(block);
                }
                Event::End(TagEnd::Item | TagEnd::TableCell) => {
                    items.pop();
                    block += 1;
                }
                Event::Start(Tag::Heading { id, .. }) => {
                    block += 1;
                    heading = Some((id.map(|i| i.to_string()), String::new()));
                }
                Event::End(TagEnd::Heading(_)) => {
                    if let Some((id, text)) = heading.take() {
                        let id = id.unwrap_or_else(|| id_from_content(&text));
                        let id = unique_id(&id, &mut used_ids);
                        prose.title.get_or_insert_with(|| id.clone());
                        prose.ids.insert(id);
                    }
                }
                Event::Start(Tag::Link { dest_url, .. }) => prose.links.push(Link {
                    item: items.last().copied(),
                    range: range.clone(),
                    target: resolve(prose.file, &dest_url),
                }),
                Event::Html(html) | Event::InlineHtml(html) => {
                    for id in html_id.captures_iter(&html) {
                        prose.ids.insert(id[1].to_owned());
                    }
                    for href in html_href.captures_iter(&html) {
                        prose.links.push(Link {
                            item: items.last().copied(),
                            range: range.clone(),
                            target: resolve(prose.file, &href[1]),
                        });
                    }
                }
                Event::Text(text) if !in_code_block && !in_image => {
                    if let Some((_, heading)) = &mut heading {
                        heading.push_str(&text);
                    }
                    prose.push_text(block, items.last().copied(), &text, range);
                }
                Event::Code(code) => {
                    if let Some((_, heading)) = &mut heading {
                        heading.push_str(&code);
                    }
                    prose.push_text(block, items.last().copied(), " ", range.clone());
                    prose.code.push(Piece {
                        block,
                        item: items.last().copied(),
                        text: code.to_string(),
                        starts: vec![(0, range.start)],
                    });
                }
                Event::SoftBreak | Event::HardBreak => {
                    prose.push_text(block, items.last().copied(), " ", range);
                }
                _ => {}
            }
        }
        prose
    }

    fn push_text(&mut self, block: usize, item: Option<usize>, text: &str, range: Range<usize>) {
        if self.text.last().is_none_or(|p| p.block != block) {
            self.text.push(Piece {
                block,
                item,
                text: String::new(),
                starts: Vec::new(),
            });
        }
        let piece = self.text.last_mut().unwrap();
        piece.starts.push((piece.text.len(), range.start));
        piece.text.push_str(text);
    }

    fn links_to(&self, targets: &[&str]) -> bool {
        self.links
            .iter()
            .any(|l| targets.contains(&l.target.as_str()))
    }

    /// Every use of the entry's term on this page, in the page's order.
    fn uses<'e>(&'e self, entry: &'e Entry) -> impl Iterator<Item = Use> + 'e {
        let mut uses = Vec::new();
        for pattern in entry.patterns.iter().filter(|p| !p.not) {
            if !pattern.applies_to(self.file) {
                continue;
            }
            let pieces = if pattern.in_code {
                &self.code
            } else {
                &self.text
            };
            for piece in pieces {
                for found in pattern.regex.find_iter(&piece.text) {
                    let excluded = entry.patterns.iter().filter(|p| p.not).any(|not| {
                        not.regex
                            .find_iter(&piece.text)
                            .any(|n| n.start() <= found.start() && found.end() <= n.end())
                    });
                    if !excluded {
                        let text = found.as_str();
                        uses.push(Use {
                            item: piece.item,
                            offset: piece.offset_of(found.start()),
                            text: if pattern.in_code {
                                format!("`{text}`")
                            } else {
                                text.to_owned()
                            },
                        });
                    }
                }
            }
        }
        uses.sort_by_key(|u| u.offset);
        uses.into_iter()
    }

    /// The line in the page's source (`src/...md`) of an offset in its
    /// expanded text: includes make the two differ.
    fn source_line(&self, offset: usize) -> usize {
        let expanded_line = self.expanded[..offset].matches('\n').count();
        let source = std::fs::read_to_string(root().join(self.file)).unwrap_or_default();
        let diff = similar::TextDiff::from_lines(source.as_str(), self.expanded);
        let source_lines: Vec<&str> = source.lines().collect();
        let wanted = self.expanded.lines().nth(expanded_line).unwrap_or_default();
        for op in diff.ops() {
            let (tag, old, new) = op.as_tag_tuple();
            if new.contains(&expanded_line) {
                if tag == similar::DiffTag::Equal {
                    return 1 + old.start + (expanded_line - new.start);
                }
                // An include and the text next to it can differ as one
                // block: find the line itself, else blame the include.
                let same = old.clone().find(|&n| source_lines.get(n) == Some(&wanted));
                return 1 + same.unwrap_or(old.start);
            }
        }
        expanded_line + 1
    }
}

impl Piece {
    fn offset_of(&self, position: usize) -> usize {
        let (start, offset) = self
            .starts
            .iter()
            .rev()
            .find(|(start, _)| *start <= position)
            .copied()
            .unwrap_or((0, 0));
        offset + (position - start)
    }
}

/// A link's target as `src/dir/page.md#anchor`, from the page it is on.
fn resolve(from: &str, link: &str) -> String {
    if link.contains("://") || link.starts_with("mailto:") {
        return link.to_owned();
    }
    let (path, anchor) = split_anchor(link);
    let page = if path.is_empty() {
        PathBuf::from(from)
    } else {
        let mut page = PathBuf::new();
        for part in Path::new(from).parent().unwrap().join(path).components() {
            match part {
                Component::ParentDir => {
                    page.pop();
                }
                Component::CurDir => {}
                other => page.push(other),
            }
        }
        page
    };
    let page = page.to_string_lossy().replace(".html", ".md");
    match anchor {
        Some(anchor) => format!("{page}#{anchor}"),
        None => page,
    }
}

fn split_anchor(target: &str) -> (&str, Option<&str>) {
    match target.split_once('#') {
        Some((page, anchor)) => (page, Some(anchor)),
        None => (target, None),
    }
}

fn page_of(target: &str) -> &str {
    split_anchor(target).0
}

/// The id mdBook gives a heading (mdbook-html's `id_from_content`).
fn id_from_content(text: &str) -> String {
    text.trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                Some(c)
            } else if c.is_whitespace() {
                Some('-')
            } else {
                None
            }
        })
        .collect()
}

/// mdBook numbers a repeated heading id: `id`, `id-1`, `id-2`...
fn unique_id(id: &str, used: &mut BTreeSet<String>) -> String {
    if used.insert(id.to_owned()) {
        return id.to_owned();
    }
    (1..)
        .map(|n| format!("{id}-{n}"))
        .find(|candidate| used.insert(candidate.clone()))
        .unwrap()
}
