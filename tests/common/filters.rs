//! libtest takes any number of filters (`cargo test -- a b` runs the tests
//! whose names contain `a` or `b`); libtest-mimic's parser takes one. The
//! filters are taken out of the command line here and applied to the list
//! of tests, so both forms work.

use libtest_mimic::{Arguments, Trial};

/// The options whose value is the next argument (`--skip X`).
const TAKES_A_VALUE: [&str; 6] = [
    "--test-threads",
    "--logfile",
    "--skip",
    "--color",
    "--format",
    "-Z",
];

/// The parsed options, and the filters given (none: every test).
pub fn arguments_and_filters() -> (Arguments, Vec<String>) {
    let mut options = Vec::new();
    let mut filters = Vec::new();
    let mut command_line = std::env::args();
    options.extend(command_line.next());
    while let Some(argument) = command_line.next() {
        if TAKES_A_VALUE.contains(&argument.as_str()) {
            options.push(argument);
            options.extend(command_line.next());
        } else if argument.starts_with('-') {
            options.push(argument);
        } else {
            filters.push(argument);
        }
    }
    (Arguments::from_iter(options), filters)
}

/// Keeps the tests that a filter selects: its name contains one of them,
/// or, with `--exact`, is one of them.
pub fn select(trials: &mut Vec<Trial>, filters: &[String], exact: bool) {
    if filters.is_empty() {
        return;
    }
    trials.retain(|trial| {
        filters.iter().any(|filter| {
            if exact {
                trial.name() == filter
            } else {
                trial.name().contains(filter.as_str())
            }
        })
    });
}
