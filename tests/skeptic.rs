//! Compiles and runs every `rust` block of the expanded book with skeptic
//! (edition 2021, see tests/structure.rs), each under a time limit.
//!
//! The test names say where a block is: `<chapter>_sect_<listing>_line_<n>`.

mod common;

include!(concat!(env!("OUT_DIR"), "/skeptic-tests.rs"));

/// skeptic's `run_test`, with a watchdog that kills a snippet (and everything
/// it started) once it has run longer than the limit, so a listing that hangs
/// fails its test instead of stalling `cargo test`.
fn run_bounded(root_dir: &str, out_dir: &str, target_triple: &str, text: &str) {
    common::watchdog::start_for_children();
    skeptic::rt::run_test(root_dir, out_dir, target_triple, text);
}
