//! Compiles and runs every `rust` block of the expanded book with skeptic
//! (edition 2021, see tests/structure.rs), each under a time limit.
//!
//! The test names say where a block is: `<chapter>_sect_<listing>_line_<n>`.

mod common;

use std::panic;

include!(concat!(env!("OUT_DIR"), "/skeptic-tests.rs"));

/// skeptic's `run_test`, with a watchdog that kills a snippet (and everything
/// it started) once it has run longer than the limit, so a listing that hangs
/// fails its test instead of stalling `cargo test`.
///
/// One failure is retried: "Text file busy". skeptic copies each compiled
/// snippet into its binary cache through a file it holds open for writing; a
/// process that another test forks at that moment inherits that descriptor
/// until it execs, and executing the snippet meanwhile fails with ETXTBSY.
/// That says nothing about the snippet, and the next attempt runs it.
fn run_bounded(root_dir: &str, out_dir: &str, target_triple: &str, text: &str) {
    common::watchdog::start_for_children();
    let kills_before = common::watchdog::KILLS.load(std::sync::atomic::Ordering::SeqCst);
    let mut attempts = 0;
    loop {
        attempts += 1;
        let run = panic::catch_unwind(|| {
            skeptic::rt::run_test(root_dir, out_dir, target_triple, text);
        });
        let Err(failure) = run else { return };
        let message = failure
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| failure.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if attempts < 3 && message.contains("Text file busy") {
            eprintln!("retrying: the compiled snippet was busy (ETXTBSY), not broken");
            std::thread::sleep(std::time::Duration::from_millis(50));
            continue;
        }
        if common::watchdog::KILLS.load(std::sync::atomic::Ordering::SeqCst) > kills_before {
            panic!(
                "{message}\nthe watchdog killed a snippet that ran longer than {} s while this \
                 test ran (its line on stderr names the program)",
                common::run::TIME_LIMIT.as_secs()
            );
        }
        panic::resume_unwind(failure);
    }
}
