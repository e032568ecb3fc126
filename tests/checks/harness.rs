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
