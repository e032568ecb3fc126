//! Keeps the report of `cargo test` readable.
//!
//! skeptic prints each snippet's output from the thread of its test, counting
//! on libtest to capture it; libtest-mimic captures nothing. So while the
//! checks run, whatever the process writes to its standard output or error
//! goes to `/dev/null`, and libtest-mimic writes its report through a pipe
//! (its `--logfile`) that a thread copies to the real standard output. Every
//! check reports what it found in its own failure message instead.
//! `--nocapture` leaves both streams alone.

use std::fs::File;
use std::io::{IsTerminal, Write};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::sync::OnceLock;
use std::thread::JoinHandle;

use libtest_mimic::{Arguments, ColorSetting};

/// The process's standard error as it was before [`Console::quiet`].
static REAL_STDERR: OnceLock<OwnedFd> = OnceLock::new();

pub struct Console {
    /// Our own write end of the report pipe: the copy ends when it is closed
    /// and libtest-mimic has closed its own.
    report_writer: Option<std::io::PipeWriter>,
    copier: Option<JoinHandle<()>>,
    /// The standard output as it was, to put back when the checks are done.
    real_stdout: Option<OwnedFd>,
}

impl Console {
    pub fn quiet(args: &mut Arguments) -> Console {
        let mut console = Console {
            report_writer: None,
            copier: None,
            real_stdout: None,
        };
        if args.nocapture || args.logfile.is_some() || args.list {
            return console;
        }
        let stdout = std::io::stdout();
        let real_stdout = stdout.as_fd().try_clone_to_owned().expect("dup stdout");
        let real_stderr = std::io::stderr()
            .as_fd()
            .try_clone_to_owned()
            .expect("dup stderr");
        if args.color.is_none() && stdout.is_terminal() {
            args.color = Some(ColorSetting::Always);
        }
        let (mut reader, writer) = std::io::pipe().expect("a pipe for the report");
        // Opening /dev/fd/N opens the same pipe (on macOS it duplicates N).
        args.logfile = Some(format!("/dev/fd/{}", writer.as_raw_fd()));
        console.real_stdout = Some(real_stdout.try_clone().expect("dup stdout"));
        console.copier = Some(std::thread::spawn(move || {
            let mut out = File::from(real_stdout);
            let _ = std::io::copy(&mut reader, &mut out);
        }));
        console.report_writer = Some(writer);

        let null = File::options()
            .write(true)
            .open("/dev/null")
            .expect("/dev/null");
        let _ = stdout.lock().flush();
        nix::unistd::dup2_stdout(&null).expect("redirect stdout");
        nix::unistd::dup2_stderr(&null).expect("redirect stderr");
        let _ = REAL_STDERR.set(real_stderr);
        console
    }

    /// Waits until the whole report is written out, then gives the process
    /// its streams back.
    pub fn finish(mut self) {
        drop(self.report_writer.take());
        if let Some(copier) = self.copier.take() {
            let _ = copier.join();
        }
        if let (Some(stdout), Some(stderr)) = (self.real_stdout.take(), REAL_STDERR.get()) {
            let _ = nix::unistd::dup2_stdout(&stdout);
            let _ = nix::unistd::dup2_stderr(stderr);
        }
    }
}
