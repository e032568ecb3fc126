//! The spin lock of `testing-spinlock`, written against loom's types only,
//! with the one mistake that matters: Relaxed where it needs Acquire and
//! Release. `main` asks loom to check it, and reports what loom found.

use std::panic;
use std::process::ExitCode;

use loom::cell::UnsafeCell;
use loom::sync::Arc;
use loom::sync::atomic::{AtomicBool, Ordering};
use loom::thread;

pub struct SpinLock<T> {
    locked: AtomicBool,
    value: UnsafeCell<T>,
}

// SAFETY: meant to be sound as in testing-spinlock; loom shows it is not.
unsafe impl<T: Send> Sync for SpinLock<T> {}

impl<T> SpinLock<T> {
    pub fn new(value: T) -> Self {
        SpinLock {
            locked: AtomicBool::new(false),
            value: UnsafeCell::new(value),
        }
    }

    // ANCHOR: relaxed
    pub fn with<R>(&self, update: impl FnOnce(&mut T) -> R) -> R {
        // The mistake: Relaxed makes the flag itself atomic, but orders
        // nothing else. The previous holder's write to `value` need not be
        // visible to us yet.
        while self
            .locked
            .compare_exchange_weak(false, true, Ordering::Relaxed, Ordering::Relaxed)
            .is_err()
        {
            loom::hint::spin_loop();
        }
        // SAFETY: what we would like to be true, and is not.
        let result = self.value.with_mut(|value| update(unsafe { &mut *value }));
        self.locked.store(false, Ordering::Relaxed);
        result
    }
    // ANCHOR_END: relaxed
}

fn main() -> ExitCode {
    // loom reports a bug by panicking: catch the panic and print its message.
    let finding = quietly(|| loom::model(increment_twice));
    report(finding)
}

/// Runs `model`, catching a panic, with the default panic report silenced:
/// it would print a path inside loom's source.
fn quietly(model: impl FnOnce() + panic::UnwindSafe) -> std::thread::Result<()> {
    panic::set_hook(Box::new(|_| {}));
    let finding = panic::catch_unwind(model);
    let _ = panic::take_hook();
    finding
}

/// Prints loom's message; fails if loom found nothing, since this listing
/// exists to show the bug being found.
fn report(finding: std::thread::Result<()>) -> ExitCode {
    match finding {
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("(a panic without a message)");
            println!("loom found a bug: {}", message.trim());
            ExitCode::SUCCESS
        }
        Ok(()) => {
            println!("loom found nothing wrong in the interleavings it explores");
            ExitCode::FAILURE
        }
    }
}

// ANCHOR: test
/// Two threads increment the counter once each: the same check as
/// testing-spinlock's loom test. loom runs it once for every interleaving.
fn increment_twice() {
    let counter = Arc::new(SpinLock::new(0));
    let other = Arc::clone(&counter);
    let worker = thread::spawn(move || other.with(|count| *count += 1));
    counter.with(|count| *count += 1);
    worker.join().unwrap();
    assert_eq!(counter.with(|count| *count), 2);
}

#[cfg(test)]
mod model {
    // ANCHOR_END: test
    use std::process::Command;

    // ANCHOR: test
    #[test]
    // ANCHOR_END: test
    #[ignore = "fails on purpose: `shows_what_cargo_test_prints` runs it"]
    // ANCHOR: test
    fn no_interleaving_loses_an_increment() {
        loom::model(super::increment_twice);
    }
    // ANCHOR_END: test

    /// Runs the failing test above in a child process, as `cargo test`
    /// does, and compares what it printed with what the book shows: each
    /// line of `cargo-test.txt` must match the line of `cargo-test.pattern`
    /// (a `*` there stands for any text), and so must this run.
    /// `BLESS=testing-relaxed-spinlock` rewrites the shown files instead.
    #[test]
    fn shows_what_cargo_test_prints() {
        let shown = include_str!("../cargo-test.txt");
        let pattern = include_str!("../cargo-test.pattern");
        check_run(&[], "cargo-test.txt", shown, pattern);
    }

    /// The same with `LOOM_LOCATION=1`: loom then says where each access was.
    #[test]
    fn shows_what_loom_location_adds() {
        let shown = include_str!("../cargo-test-location.txt");
        let pattern = include_str!("../cargo-test-location.pattern");
        check_run(
            &[("LOOM_LOCATION", "1")],
            "cargo-test-location.txt",
            shown,
            pattern,
        );
    }

    fn check_run(env: &[(&str, &str)], file: &str, shown: &str, pattern: &str) {
        let run = Command::new(std::env::current_exe().unwrap())
            .args([
                "--ignored",
                "--exact",
                "model::no_interleaving_loses_an_increment",
            ])
            .env_remove("RUST_BACKTRACE")
            .env_remove("RUST_LIB_BACKTRACE")
            .env_remove("LOOM_LOCATION")
            .envs(env.iter().copied())
            .output()
            .expect("cannot run the test binary");
        let printed = String::from_utf8_lossy(&run.stdout).into_owned()
            + &String::from_utf8_lossy(&run.stderr);
        assert!(!run.status.success(), "loom found nothing:\n{printed}");
        let bless = std::env::var("BLESS").unwrap_or_default();
        if bless == "1"
            || bless
                .split(',')
                .any(|name| name.trim() == env!("CARGO_PKG_NAME"))
        {
            std::fs::write(format!("{}/{file}", env!("CARGO_MANIFEST_DIR")), &printed).unwrap();
            return;
        }
        for (what, text) in [("this run", printed.as_str()), (file, shown)] {
            if let Err(problem) = matches(text, pattern) {
                panic!("{what} does not match the pattern of {file}: {problem}\n{text}");
            }
        }
    }

    /// Line n of `text` must match line n of `pattern`, where `*` stands
    /// for any run of characters.
    fn matches(text: &str, pattern: &str) -> Result<(), String> {
        let (lines, patterns): (Vec<&str>, Vec<&str>) =
            (text.lines().collect(), pattern.lines().collect());
        if lines.len() != patterns.len() {
            return Err(format!(
                "{} lines, the pattern has {}",
                lines.len(),
                patterns.len()
            ));
        }
        for (n, (line, pattern)) in lines.iter().zip(&patterns).enumerate() {
            if !line_matches(line, pattern) {
                return Err(format!("line {}: `{line}` is not `{pattern}`", n + 1));
            }
        }
        Ok(())
    }

    fn line_matches(line: &str, pattern: &str) -> bool {
        let mut pieces = pattern.split('*');
        let first = pieces.next().unwrap_or_default();
        let Some(mut rest) = line.strip_prefix(first) else {
            return false;
        };
        let pieces: Vec<&str> = pieces.collect();
        let Some((last, middle)) = pieces.split_last() else {
            return rest.is_empty();
        };
        for piece in middle {
            match rest.find(piece) {
                Some(at) => rest = &rest[at + piece.len()..],
                None => return false,
            }
        }
        rest.len() >= last.len() && rest.ends_with(last)
    }
    // ANCHOR: test
}
// ANCHOR_END: test
