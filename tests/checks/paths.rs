//! The reading paths lead from page to page. The introduction's short path
//! and each model chapter's everyday path are numbered lists; a reader who
//! follows one should never have to go back to the list. So each page on a
//! path ends its part with a footer naming the next page of that path
//! (`**Short path:** next, [Title](page.md)`), and a page's first line says
//! which kind of page it is: `Core`, `Everyday` or `Deeper`. A page marked
//! `Everyday` is on its chapter's everyday path, and every page on that path
//! is `Core` or `Everyday`.

use std::path::Path;

use libtest_mimic::Trial;
use regex::Regex;

use crate::common::book::{CHAPTERS, normalize};
use crate::common::schedule::trial;
use crate::common::{Outcome, Problems, root};

/// The chapters with an everyday path, each given by its index page.
const CHAPTERS_WITH_A_PATH: [&str; 3] = [
    "src/threads/index.md",
    "src/processes/index.md",
    "src/async/index.md",
];

pub fn trials() -> Vec<Trial> {
    let mut trials = vec![trial("paths::short-path-footers", || {
        check_path(
            "src/introduction.md",
            "**The short path**",
            "**Short path:**",
        )
    })];
    for index in CHAPTERS_WITH_A_PATH {
        trials.push(trial(format!("paths::everyday-path::{index}"), move || {
            let footers = check_path(index, "**The everyday path**", "**Everyday path:**");
            let mut problems = Problems::default();
            check_labels(index, &mut problems)?;
            let labels = problems.verdict(&format!("the labels of the everyday path of {index}"));
            match (footers, labels) {
                (Err(footers), Err(labels)) => Err(format!(
                    "{}\n\n{}",
                    footers.message().unwrap_or_default(),
                    labels.message().unwrap_or_default()
                )
                .into()),
                (footers, labels) => footers.and(labels),
            }
        }));
    }
    trials
}

/// Every page of the path listed in `list_file` after the paragraph that
/// starts with `heading`, but the last, has a `footer next, [...]` line
/// whose link leads to the next page of the list, and no such line that
/// leads elsewhere. The last page has a `footer` line that says the path
/// ends there, so that a reader knows.
fn check_path(list_file: &str, heading: &str, footer: &str) -> Outcome {
    let path = pages_of_path(list_file, heading)?;
    let mut problems = Problems::default();
    for (at, page) in path.iter().enumerate() {
        let source = read(page)?;
        let links = footer_links(&source, page, footer);
        match path.get(at + 1) {
            Some(next) if links.is_empty() => problems.add(format!(
                "{page}: no `{footer} next, [...]({})` footer: the path goes on there",
                relative_to(page, next)
            )),
            Some(next) => {
                for link in links.iter().filter(|l| *l != next) {
                    problems.add(format!(
                        "{page}: its `{footer}` footer leads to {link}, but the path \
                         in {list_file} goes on to {next}"
                    ));
                }
            }
            None => {
                for link in &links {
                    problems.add(format!(
                        "{page}: the last page of the path in {list_file} has a \
                         `{footer} next, ...` footer leading to {link}"
                    ));
                }
                if !source.lines().any(|l| l.starts_with(footer)) {
                    problems.add(format!(
                        "{page}: the last page of the path in {list_file} does not say \
                         so: end it with a `{footer} ...` line that says the path ends here"
                    ));
                }
            }
        }
    }
    problems.verdict(&format!("the footers of the path in {list_file}"))
}

/// The `src/...` pages linked from the numbered list after `heading`, in
/// order; a list item may link several pages.
pub fn pages_of_path(list_file: &str, heading: &str) -> Result<Vec<String>, String> {
    let source = read(list_file)?;
    let after = source
        .split_once(heading)
        .ok_or_else(|| format!("{list_file} has no paragraph starting with {heading}"))?
        .1;
    let list: Vec<&str> = after
        .lines()
        .skip_while(|l| !l.starts_with("1. "))
        .take_while(|l| !l.trim().is_empty())
        .collect();
    let link = Regex::new(r"\]\(([^)#]+\.md)[)#]").unwrap();
    let pages: Vec<String> = link
        .captures_iter(&list.join("\n"))
        .map(|c| resolve(list_file, &c[1]))
        .collect();
    if pages.len() < 3 {
        return Err(format!(
            "the list after {heading} in {list_file} links {} pages: is it a numbered \
             list right after that paragraph?",
            pages.len()
        ));
    }
    Ok(pages)
}

/// Where the `footer ... next, [...](...)` lines of a page lead.
fn footer_links(source: &str, page: &str, footer: &str) -> Vec<String> {
    let link = Regex::new(r"\]\(([^)#]+\.md)[)#]").unwrap();
    let next = format!("{footer} next, ");
    source
        .lines()
        .filter(|l| l.starts_with(&next))
        .filter_map(|l| link.captures(l).map(|c| resolve(page, &c[1])))
        .collect()
}

/// The pages of the chapter whose first line says `Everyday` are the pages
/// of its everyday path, those say `Core` or `Everyday`, and the path keeps
/// SUMMARY's order.
fn check_labels(index: &str, problems: &mut Problems) -> Result<(), String> {
    let path = pages_of_path(index, "**The everyday path**")?;
    let place = |page: &String| CHAPTERS.iter().position(|c| &c.file == page);
    for pair in path.windows(2) {
        if let (Some(a), Some(b)) = (place(&pair[0]), place(&pair[1]))
            && a >= b
        {
            problems.add(format!(
                "the everyday path of {index} goes from {} back to {}: list it in \
                 SUMMARY order, so that a reader who skips the Deeper pages follows it",
                pair[0], pair[1]
            ));
        }
    }
    for page in path.iter().filter(|p| place(p).is_none()) {
        problems.add(format!(
            "the everyday path of {index} names {page}, not a page of the book"
        ));
    }
    let dir = Path::new(index).parent().unwrap_or(Path::new("src"));
    for chapter in CHAPTERS
        .iter()
        .filter(|c| Path::new(&c.file).parent() == Some(dir))
    {
        let label = label_of(&read(&chapter.file)?);
        let on_path = path.contains(&chapter.file);
        match (label.as_deref(), on_path) {
            (Some("Everyday"), false) => problems.add(format!(
                "{}: marked Everyday, but not on the everyday path of {index}",
                chapter.file
            )),
            (Some("Core" | "Everyday"), true) => {}
            (label, true) => problems.add(format!(
                "{}: on the everyday path of {index}, but marked {}: mark it Everyday",
                chapter.file,
                label.unwrap_or("nothing")
            )),
            _ => {}
        }
    }
    Ok(())
}

/// `Core` for a page whose header starts `> **Core** · `.
fn label_of(source: &str) -> Option<String> {
    let header = source
        .lines()
        .skip_while(|l| !l.starts_with("# "))
        .skip(1)
        .find(|l| !l.trim().is_empty())?;
    let label = header.strip_prefix("> **")?.split_once("**")?.0;
    Some(label.to_string())
}

fn read(file: &str) -> Result<String, String> {
    std::fs::read_to_string(root().join(file)).map_err(|e| format!("{file}: cannot read it: {e}"))
}

/// `src/threads/channels.md` for the link `channels.md` on a page of
/// `src/threads/`, or `../threads/channels.md` on one of `src/async/`.
fn resolve(page: &str, link: &str) -> String {
    let base = Path::new(page).parent().unwrap_or(Path::new(""));
    normalize(&base.join(link)).to_string_lossy().into_owned()
}

/// The link from `page` to `target`, for a message.
fn relative_to(page: &str, target: &str) -> String {
    let from = Path::new(page).parent().unwrap_or(Path::new(""));
    match Path::new(target).strip_prefix(from) {
        Ok(inside) => inside.to_string_lossy().into_owned(),
        Err(_) => format!("../{}", target.trim_start_matches("src/")),
    }
}
