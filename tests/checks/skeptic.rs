//! skeptic compiles and runs every program of the expanded book (edition
//! 2021, see structure.rs), each under a time limit. One test per program,
//! `<listing>::skeptic`; `build.rs` wrote the table of them.

use std::panic;
use std::sync::atomic::Ordering;

use crate::common::schedule::trial;
use libtest_mimic::Trial;

use crate::common::run::TIME_LIMIT;
use crate::common::watchdog;

#[allow(clippy::all)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/skeptic-table.rs"));
}

pub fn trials() -> Vec<Trial> {
    generated::SKEPTIC_TESTS
        .iter()
        .map(|&(listing, test)| {
            trial(format!("{listing}::skeptic"), move || {
                let started = std::time::Instant::now();
                let result = panic::catch_unwind(test);
                crate::common::run::record_time(&format!("skeptic {listing}"), started.elapsed());
                result.map_err(|failure| {
                    format!(
                        "skeptic: {}\nskeptic runs the program as the book shows it (edition \
                         2021); to see what it printed: cargo test -- {listing}::skeptic --nocapture",
                        panic_message(failure.as_ref())
                    )
                    .into()
                })
            })
            .with_kind("skeptic")
        })
        .collect()
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or_default()
}

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
    watchdog::start_for_children();
    let kills_before = watchdog::KILLS.load(Ordering::SeqCst);
    let mut attempts = 0;
    loop {
        attempts += 1;
        let run = panic::catch_unwind(|| {
            skeptic::rt::run_test(root_dir, out_dir, target_triple, text);
        });
        let Err(failure) = run else { return };
        let message = panic_message(failure.as_ref());
        if attempts < 3 && message.contains("Text file busy") {
            std::thread::sleep(std::time::Duration::from_millis(50));
            continue;
        }
        if watchdog::KILLS.load(Ordering::SeqCst) > kills_before {
            let killed = watchdog::KILLED.lock().unwrap().join("\n");
            panic!(
                "{message}\nthe watchdog killed a snippet that ran longer than {} s while this \
                 test ran:\n{killed}",
                TIME_LIMIT.as_secs()
            );
        }
        panic::resume_unwind(failure);
    }
}
