//! The checks, one module per kind; each gives its tests with `trials()`.

pub mod appendix;
pub mod benchmark;
pub mod compile_fail;
pub mod figures;
pub mod glossary;
pub mod harness;
pub mod linux_only;
pub mod outputs;
pub mod paths;
pub mod paused_clock;
pub mod python;
pub mod reader;
pub mod render;
pub mod results;
pub mod skeptic;
pub mod structure;
pub mod unit_tests;
pub mod visible_lines;
