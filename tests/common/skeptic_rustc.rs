//! skeptic compiles every snippet with the edition the reader uses.
//!
//! skeptic 0.14.2 picks the newest edition it knows among the packages of
//! `cargo metadata`, and it knows none above 2021 (`edition_str` in its
//! `rt.rs`), so on its own it compiles this book's edition-2024 programs as
//! edition 2021, where some of them behave differently (temporaries in
//! `if let` and block tails: `threads-guard-held-too-long`). It runs the
//! compiler named by `RUSTC`. The harness therefore names itself: this test
//! binary, started as `RUSTC` by skeptic, passes every argument on to the
//! real compiler and puts the workspace's edition in place of skeptic's.
//!
//! Only skeptic sees the stand-in. Every command the harness starts itself
//! (cargo, rustc for the `compile_fail` samples, the listings) gets the
//! environment it was given back: [`restore`].

use std::ffi::{OsStr, OsString};
use std::process::Command;

/// Set in the harness's own environment for skeptic: the edition to compile
/// with. Its presence at start-up means "this process is the stand-in".
const EDITION: &str = "BOOK_SKEPTIC_EDITION";
/// The compiler the stand-in passes its arguments to: `RUSTC` as the harness
/// found it, or `rustc`.
const REAL_RUSTC: &str = "BOOK_SKEPTIC_REAL_RUSTC";
/// Whether `RUSTC` was set when the harness started (then `REAL_RUSTC` is it).
const HAD_RUSTC: &str = "BOOK_SKEPTIC_HAD_RUSTC";

/// When this process was started by skeptic as its compiler, compiles as
/// asked with the edition replaced, and never returns.
pub fn act_as_rustc_if_asked() {
    let Some(edition) = std::env::var_os(EDITION) else {
        return;
    };
    let real = std::env::var_os(REAL_RUSTC).unwrap_or_else(|| "rustc".into());
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let mut rustc = Command::new(&real);
    if args.iter().any(|a| a == "-vV") {
        // skeptic names its cache of compiled snippets after this answer: a
        // snippet compiled with another edition must not be reused.
        let answer = rustc.args(&args).output().expect("cannot run rustc -vV");
        let mut text = String::from_utf8_lossy(&answer.stdout).into_owned();
        text.push_str(&format!(
            "book-skeptic-edition: {}\n",
            edition.to_string_lossy()
        ));
        print!("{text}");
        std::process::exit(answer.status.code().unwrap_or(1));
    }
    rustc.args(with_edition(&args, &edition));
    // A warning fails the build, as `listings-compile-without-warnings`
    // fails for cargo's: most listings are compiled by skeptic alone.
    rustc.args(["-D", "warnings"]);
    let status = rustc.status().expect("cannot run rustc");
    std::process::exit(status.code().unwrap_or(1));
}

/// skeptic's arguments with `--edition=...` (or `--edition ...`) replaced by
/// `edition`, or added when skeptic gave none (it gives none for 2015).
pub fn with_edition(args: &[OsString], edition: &OsStr) -> Vec<OsString> {
    let mut wanted = OsString::from("--edition=");
    wanted.push(edition);
    let mut out = Vec::with_capacity(args.len() + 1);
    let mut replaced = false;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == "--edition" {
            iter.next();
        } else if !arg.to_string_lossy().starts_with("--edition=") {
            out.push(arg.clone());
            continue;
        }
        if !replaced {
            out.push(wanted.clone());
            replaced = true;
        }
    }
    if !replaced {
        out.insert(0, wanted);
    }
    out
}

/// Makes this process skeptic's compiler's caller: from now on skeptic runs
/// this binary as `RUSTC`, which compiles with `edition`. Call before any
/// thread starts (the environment is process-wide).
pub fn install(edition: &str) {
    let me = stand_in_path();
    let original = std::env::var_os("RUSTC");
    // SAFETY: called first thing in main, before any other thread exists.
    unsafe {
        std::env::set_var(HAD_RUSTC, if original.is_some() { "1" } else { "0" });
        std::env::set_var(REAL_RUSTC, original.unwrap_or_else(|| "rustc".into()));
        std::env::set_var(EDITION, edition);
        std::env::set_var("RUSTC", me);
    }
}

/// Where skeptic finds this binary: a hard link to it in the target's
/// `tmp/`, named after this process, rather than the file cargo made. A
/// cargo command run during the tests (the unit tests' build names this
/// test target too) may link that file again while skeptic starts it,
/// which once failed six tests with "No such file or directory". The link
/// keeps this build's executable whatever cargo does to its file. Links
/// left by test runs that ended are removed.
fn stand_in_path() -> std::path::PathBuf {
    let me = std::env::current_exe().expect("the harness cannot find its own executable");
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    for old in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = old.file_name().to_string_lossy().into_owned();
        let pid = name
            .strip_prefix(STAND_IN_PREFIX)
            .and_then(|p| p.parse::<i32>().ok());
        let alive = pid.is_some_and(|pid| {
            nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_ok()
        });
        if pid.is_some() && !alive {
            let _ = std::fs::remove_file(old.path());
        }
    }
    let link = dir.join(format!("{STAND_IN_PREFIX}{}", std::process::id()));
    let _ = std::fs::remove_file(&link);
    match std::fs::hard_link(&me, &link) {
        Ok(()) => link,
        Err(_) => me,
    }
}

const STAND_IN_PREFIX: &str = "book-rustc-";

/// Removes the stand-in's link (when the tests are over).
pub fn uninstall() {
    let link = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("{STAND_IN_PREFIX}{}", std::process::id()));
    let _ = std::fs::remove_file(link);
}

/// The compiler the harness was given (`RUSTC`, or `rustc`), for the
/// commands it runs itself.
pub fn real_rustc() -> OsString {
    std::env::var_os(REAL_RUSTC)
        .or_else(|| std::env::var_os("RUSTC"))
        .unwrap_or_else(|| "rustc".into())
}

/// The environment the harness was started with, for a command it runs
/// itself: `RUSTC` as it was, and none of the stand-in's variables.
pub fn restore(command: &mut Command) -> &mut Command {
    if std::env::var_os(EDITION).is_none() {
        return command;
    }
    if std::env::var_os(HAD_RUSTC).is_some_and(|had| had == "1") {
        command.env("RUSTC", real_rustc());
    } else {
        command.env_remove("RUSTC");
    }
    command
        .env_remove(EDITION)
        .env_remove(REAL_RUSTC)
        .env_remove(HAD_RUSTC)
}

/// Tests of the argument rewriting, run as `harness::...` (checks/harness.rs).
pub mod unit_tests {
    use super::with_edition;
    use std::ffi::OsString;

    pub const ALL: &[(&str, fn())] = &[
        (
            "replaces-the-edition-skeptic-gives",
            replaces_the_edition_skeptic_gives,
        ),
        (
            "replaces-the-two-argument-form",
            replaces_the_two_argument_form,
        ),
        (
            "adds-an-edition-when-skeptic-gives-none",
            adds_an_edition_when_skeptic_gives_none,
        ),
    ];

    fn args(text: &str) -> Vec<OsString> {
        text.split_whitespace().map(OsString::from).collect()
    }

    fn replaces_the_edition_skeptic_gives() {
        let got = with_edition(&args("test.rs --edition=2021 -L x"), "2024".as_ref());
        assert_eq!(got, args("test.rs --edition=2024 -L x"));
    }

    fn replaces_the_two_argument_form() {
        let got = with_edition(&args("--edition 2018 test.rs"), "2024".as_ref());
        assert_eq!(got, args("--edition=2024 test.rs"));
    }

    fn adds_an_edition_when_skeptic_gives_none() {
        let got = with_edition(&args("test.rs -o out"), "2024".as_ref());
        assert_eq!(got, args("--edition=2024 test.rs -o out"));
    }
}
