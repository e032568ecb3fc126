//! One way to build with cargo and read what it reports
//! (`--message-format=json`), shared by the build of every listing and the
//! build of the listings' unit tests.
//!
//! Builds run with `--keep-going`, and every compiler error is filed under the
//! listing it belongs to: a listing that does not compile fails its own
//! checks, with its own errors, and the others are built and checked as usual.

use std::collections::BTreeMap;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use cargo_metadata::Message;
use cargo_metadata::diagnostic::DiagnosticLevel;

use super::listings::WORKSPACE;
use super::root;

/// What one cargo build produced.
#[derive(Default)]
pub struct Report {
    /// Listing name -> its executable (the binary, or its unit-test binary).
    pub executables: BTreeMap<String, PathBuf>,
    /// Crate name (`tokio`) -> its `.rlib`, for compiling samples by hand.
    pub libraries: BTreeMap<String, PathBuf>,
    /// `target/debug/deps`, where the libraries' own dependencies are.
    pub deps_dir: PathBuf,
    /// Listing name -> the compiler's errors in it.
    pub errors: BTreeMap<String, String>,
    /// Errors in anything that is not a listing (the harness, a dependency),
    /// or a failure that no compiler message explains.
    pub other_errors: String,
    /// What the compiler warned about in the listings (there should be nothing).
    pub warnings: Vec<String>,
}

impl Report {
    /// The executable of `listing`, or the errors that kept it from building.
    pub fn executable(&self, listing: &str) -> Result<&Path, String> {
        if let Some(errors) = self.errors.get(listing) {
            return Err(format!("listing {listing} does not compile:\n{errors}"));
        }
        self.executables
            .get(listing)
            .map(PathBuf::as_path)
            .ok_or_else(|| format!("cargo built no executable for listing {listing}"))
    }
}

/// Runs `cargo <args> --keep-going --message-format=json` (`--no-fail-fast`
/// for `cargo test`) at the root, in the
/// environment the harness was given, and files what it reports.
pub fn build(args: &[&str]) -> Result<Report, String> {
    let mut cargo = Command::new(env!("CARGO"));
    super::skeptic_rustc::restore(&mut cargo)
        .current_dir(root())
        .args(args)
        // `cargo build` says --keep-going; `cargo test` says --no-fail-fast,
        // which goes on building the other units too.
        .arg(if args.first() == Some(&"test") {
            "--no-fail-fast"
        } else {
            "--keep-going"
        })
        .arg("--message-format=json")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cargo
        .spawn()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    // cargo's own complaints (a bad manifest) come on stderr: read it on a
    // thread so that neither pipe fills up while the other is read.
    let stderr = child.stderr.take().unwrap();
    let complaints = std::thread::spawn(move || std::io::read_to_string(stderr));
    let mut report = Report::default();
    for message in Message::parse_stream(BufReader::new(child.stdout.take().unwrap())) {
        file(
            &mut report,
            message.map_err(|e| format!("bad cargo message: {e}"))?,
        );
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    let complaints = complaints.join().unwrap().unwrap_or_default();
    if !status.success() && report.errors.is_empty() && report.other_errors.is_empty() {
        report.other_errors = complaints;
    }
    if !report.other_errors.is_empty() {
        return Err(format!(
            "`cargo {}` failed:\n{}",
            args.join(" "),
            report.other_errors
        ));
    }
    Ok(report)
}

fn file(report: &mut Report, message: Message) {
    match message {
        Message::CompilerMessage(compiler) => {
            let rendered = compiler.message.rendered.unwrap_or_default();
            let listing = WORKSPACE.by_package_id(&compiler.package_id);
            match (compiler.message.level, listing) {
                (DiagnosticLevel::Error, Some(listing)) => report
                    .errors
                    .entry(listing.name.clone())
                    .or_default()
                    .push_str(&rendered),
                (DiagnosticLevel::Error, None) => report.other_errors.push_str(&rendered),
                (DiagnosticLevel::Warning, Some(_)) => report.warnings.push(rendered),
                _ => {}
            }
        }
        Message::CompilerArtifact(artifact) => {
            let listing = WORKSPACE.by_package_id(&artifact.package_id);
            if let (Some(exe), Some(listing)) = (&artifact.executable, listing) {
                report
                    .executables
                    .insert(listing.name.clone(), exe.clone().into_std_path_buf());
            } else if artifact
                .target
                .kind
                .contains(&cargo_metadata::TargetKind::Lib)
            {
                for file in artifact.filenames {
                    if file.extension() == Some("rlib") {
                        let file = file.into_std_path_buf();
                        report.deps_dir = file.parent().unwrap().to_path_buf();
                        report
                            .libraries
                            .insert(artifact.target.name.replace('-', "_"), file);
                    }
                }
            }
        }
        // cargo_metadata hands back a message it cannot read as a text line:
        // an artifact lost that way once left the compile_fail samples
        // without their libraries. Say so rather than build without it.
        Message::TextLine(line) if line.starts_with("{\"reason\"") => {
            let start: String = line.chars().take(200).collect();
            report.other_errors.push_str(&format!(
                "a message from cargo that cargo_metadata could not read: {start}...\n"
            ));
        }
        _ => {}
    }
}
