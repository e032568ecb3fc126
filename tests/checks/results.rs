//! The schema of `src/compare/results.json`: compare-models' own module,
//! compiled into the tests from its source, so the file is written and read
//! through the same types.

#[path = "../../listings/compare/compare-models/src/results.rs"]
mod schema;

pub use schema::*;
