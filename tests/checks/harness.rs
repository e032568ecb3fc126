//! The harness's own parsers, tested like any code: `harness::<module>::<case>`.
//! Each module keeps its cases in a `unit_tests` module with a table `ALL`.

use libtest_mimic::Trial;

use crate::common::schedule::trial;

/// A module's unit tests: (case name, test) pairs.
type Cases = &'static [(&'static str, fn())];

pub fn trials() -> Vec<Trial> {
    let modules: &[(&str, Cases)] = &[
        (
            "skeptic-rustc",
            crate::common::skeptic_rustc::unit_tests::ALL,
        ),
        ("snapshot", crate::common::snapshot::unit_tests::ALL),
        ("compile-fail", crate::checks::compile_fail::unit_tests::ALL),
        ("parsers", parsers::ALL),
    ];
    modules
        .iter()
        .flat_map(|(module, cases)| {
            cases.iter().map(move |&(case, test)| {
                trial(format!("harness::{module}::{case}"), move || {
                    std::panic::catch_unwind(test)
                        .map_err(|failure| crate::common::panic_message(failure.as_ref()).into())
                })
                .with_kind("harness")
            })
        })
        .collect()
}

/// The parsers of the book's text that the checks share: includes, info
/// strings, hidden lines, anchors, output patterns.
mod parsers {
    use std::path::Path;

    use crate::checks::outputs::{matches_patterns, sorted_lines};
    use crate::common::hidden::unhidden;
    use crate::common::includes::{
        includes_in, info_tokens, listing_dir_of, normalize, without_anchor_lines,
    };

    pub const ALL: &[(&str, fn())] = &[
        (
            "outputs-that-name-cargos-build",
            outputs_that_name_cargos_build,
        ),
        (
            "includes-are-read-with-their-anchor",
            includes_are_read_with_their_anchor,
        ),
        (
            "a-file-belongs-to-its-listing",
            a_file_belongs_to_its_listing,
        ),
        (
            "info-strings-split-as-rustdoc-splits-them",
            info_strings_split_as_rustdoc_splits_them,
        ),
        (
            "hidden-lines-are-shown-as-skeptic-reads-them",
            hidden_lines_are_shown_as_skeptic_reads_them,
        ),
        ("anchor-lines-are-dropped", anchor_lines_are_dropped),
        (
            "patterns-match-whole-lines-one-for-one",
            patterns_match_whole_lines_one_for_one,
        ),
        (
            "any-order-compares-sorted-lines",
            any_order_compares_sorted_lines,
        ),
    ];

    fn includes_are_read_with_their_anchor() {
        let text = "a {{#rustdoc_include ../../listings/async/x/src/main.rs:part1}} b \
                    {{#include ../../listings/async/x/output.txt}}";
        let found = includes_in("src/async/page.md", text);
        assert_eq!(found.len(), 2);
        assert!(found[0].rustdoc && !found[1].rustdoc);
        assert_eq!(found[0].path, Path::new("listings/async/x/src/main.rs"));
        assert_eq!(found[0].anchor.as_deref(), Some("part1"));
        assert_eq!(found[1].anchor, None);
    }

    fn a_file_belongs_to_its_listing() {
        let dir = listing_dir_of(Path::new("listings/threads/threads-rayon/src/main.rs"));
        assert_eq!(
            dir.as_deref(),
            Some(Path::new("listings/threads/threads-rayon"))
        );
        assert_eq!(listing_dir_of(Path::new("src/threads/x.md")), None);
        assert_eq!(
            listing_dir_of(Path::new("listings/threads/threads-rayon")),
            None
        );
        assert_eq!(
            normalize(Path::new("src/threads/../../listings/x")),
            Path::new("listings/x")
        );
    }

    fn info_strings_split_as_rustdoc_splits_them() {
        assert_eq!(
            info_tokens("rust,compile_fail,E0373"),
            ["rust", "compile_fail", "E0373"]
        );
        assert_eq!(info_tokens("rust noplayground"), ["rust", "noplayground"]);
        assert_eq!(info_tokens(""), Vec::<&str>::new());
    }

    fn hidden_lines_are_shown_as_skeptic_reads_them() {
        let block = "# use std::thread;\n#\nfn main() {\n    # let x = 1;\n}";
        assert_eq!(
            unhidden(block),
            "use std::thread;\n\nfn main() {\nlet x = 1;\n}"
        );
        assert_eq!(unhidden("#[derive(Debug)]"), "#[derive(Debug)]");
    }

    fn anchor_lines_are_dropped() {
        let source = "use a;\n// ANCHOR: all\nfn main() {}\n// ANCHOR_END: all\n";
        assert_eq!(without_anchor_lines(source), "use a;\nfn main() {}\n");
    }

    fn patterns_match_whole_lines_one_for_one() {
        assert!(matches_patterns("took \\d+ ms\nok\n", "took 12 ms\nok\n").is_ok());
        // A pattern matches the whole line, not a part of it.
        assert!(matches_patterns("took \\d+ ms\n", "it took 12 ms\n").is_err());
        // As many lines as patterns.
        assert!(matches_patterns("ok\n", "ok\nok\n").is_err());
        assert!(matches_patterns("(\n", "x\n").is_err());
    }

    fn any_order_compares_sorted_lines() {
        assert_eq!(sorted_lines("b\na\n"), sorted_lines("a\nb\n"));
        assert_ne!(sorted_lines("a\na\n"), sorted_lines("a\n"));
    }

    fn outputs_that_name_cargos_build() {
        use crate::common::listings::names_a_build;
        let source = "fn main() { println!(\"usage: demo-tool [N]\"); }";
        let panic = "thread 'main' panicked at listings/x/demo-tool/src/main.rs:4:5:";
        assert!(names_a_build(panic, source, "demo-tool"));
        assert!(names_a_build("starting demo-tool again", "", "demo-tool"));
        assert!(names_a_build("    demo_tool::transfer", "", "demo-tool"));
        assert!(!names_a_build("usage: demo-tool [N]", source, "demo-tool"));
        assert!(!names_a_build("3 primes", source, "demo-tool"));
    }
}
