//! The schema of `src/compare/results.json`: compare-models' own module,
//! compiled into the tests from its source, so the file is written and read
//! through the same types.

// The checks read the parts that can be checked without a timing.
#[allow(dead_code)]
#[path = "../../listings/compare/compare-models/src/results.rs"]
mod schema;

pub use schema::*;
