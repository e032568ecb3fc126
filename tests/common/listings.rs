//! The listing crates: what `cargo metadata` says of them, and their builds.

use std::collections::BTreeMap;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::LazyLock;

use cargo_metadata::diagnostic::DiagnosticLevel;
use cargo_metadata::{Message, Metadata, MetadataCommand, Package};
use serde_json::Value;

use super::root;

/// One run of a listing that the book shows, from `[package.metadata.book]`:
///
/// ```toml
/// [[package.metadata.book.runs]]
/// args = ["--workers", "4"]   # default: none
/// output = "output.txt"       # the file the book includes; default output.txt
/// check = "exact"             # or "any-order", or "pattern"
/// status = 0                  # the exit code the run must end with
/// ```
///
/// A listing without `runs` is run once with no arguments, and its output is
/// compared with `output.txt` if that file exists.
#[derive(Debug, Clone)]
pub struct RunSpec {
    pub args: Vec<String>,
    pub output: Option<PathBuf>,
    pub check: Check,
    pub status: i32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// The output is the same, byte for byte.
    Exact,
    /// The same lines, in any order (threads that print concurrently).
    AnyOrder,
    /// Line by line, each line matches the regular expression on the same
    /// line of `<output>.pattern` (timings, addresses, process ids). The file
    /// the book shows must match the patterns too.
    Pattern,
}

pub struct Listing {
    pub name: String,
    /// `listings/three-models/print-numbers-thread`
    pub dir: PathBuf,
    pub package: Package,
}

impl Listing {
    pub fn runs(&self) -> Vec<RunSpec> {
        let book = &self.package.metadata["book"];
        let runs = match book.get("runs") {
            Some(Value::Array(runs)) => runs.clone(),
            Some(_) => panic!(
                "{}: [package.metadata.book] runs must be an array",
                self.name
            ),
            None => vec![Value::Object(Default::default())],
        };
        runs.iter()
            .map(|run| {
                let output = match run.get("output") {
                    Some(file) => {
                        Some(self.dir.join(file.as_str().expect("output is a file name")))
                    }
                    // output.txt is checked when it exists or when a chapter
                    // shows it (then BLESS=1 writes it).
                    None => Some(self.dir.join("output.txt")).filter(|f| {
                        root().join(f).exists()
                            || super::book::BLOCKS
                                .iter()
                                .any(|b| b.includes().iter().any(|i| &i.path == f))
                    }),
                };
                let check = match run.get("check").and_then(Value::as_str) {
                    None | Some("exact") => Check::Exact,
                    Some("any-order") => Check::AnyOrder,
                    Some("pattern") => Check::Pattern,
                    Some(other) => panic!("{}: unknown check {other:?}", self.name),
                };
                RunSpec {
                    args: run
                        .get("args")
                        .and_then(Value::as_array)
                        .map(|a| a.iter().map(|v| v.as_str().unwrap().to_owned()).collect())
                        .unwrap_or_default(),
                    output,
                    check,
                    status: run.get("status").and_then(Value::as_i64).unwrap_or(0) as i32,
                }
            })
            .collect()
    }
}

pub struct Workspace {
    pub metadata: Metadata,
    /// The listings that build and run: workspace members under `listings/`.
    pub listings: Vec<Listing>,
    /// Crates under `listings/` that the workspace excludes: samples that must
    /// not compile (`compile_fail`).
    pub excluded: Vec<Listing>,
}

/// A listing crate, from `cargo metadata` of the package at `dir`.
fn listing(package: &Package) -> Option<Listing> {
    let dir = package.manifest_path.parent()?.as_std_path();
    let dir = dir.strip_prefix(root()).ok()?.to_path_buf();
    dir.starts_with("listings").then(|| Listing {
        name: package.name.clone(),
        dir,
        package: package.clone(),
    })
}

pub static WORKSPACE: LazyLock<Workspace> = LazyLock::new(|| {
    let metadata = MetadataCommand::new()
        .manifest_path(root().join("Cargo.toml"))
        .no_deps()
        .exec()
        .expect("cargo metadata failed");
    let mut listings: Vec<Listing> = metadata
        .workspace_packages()
        .into_iter()
        .filter_map(listing)
        .collect();
    listings.sort_by(|a, b| a.dir.cmp(&b.dir));

    // The excluded crates are packages of their own; `--no-deps` reads their
    // manifests without resolving (or writing) anything.
    let mut excluded = Vec::new();
    for chapter in std::fs::read_dir(root().join("listings"))
        .unwrap()
        .flatten()
    {
        for crate_dir in std::fs::read_dir(chapter.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let manifest = crate_dir.path().join("Cargo.toml");
            let dir = crate_dir.path().strip_prefix(root()).unwrap().to_path_buf();
            if !manifest.exists() || listings.iter().any(|l| l.dir == dir) {
                continue;
            }
            let own = MetadataCommand::new()
                .manifest_path(&manifest)
                .no_deps()
                .exec()
                .unwrap_or_else(|e| panic!("cargo metadata failed for {}: {e}", dir.display()));
            excluded.extend(own.packages.iter().filter_map(listing));
        }
    }
    excluded.sort_by(|a, b| a.dir.cmp(&b.dir));
    Workspace {
        metadata,
        listings,
        excluded,
    }
});

impl Workspace {
    /// Every listing crate: the workspace's and the excluded `compile_fail`
    /// samples.
    pub fn all(&self) -> impl Iterator<Item = &Listing> {
        self.listings.iter().chain(&self.excluded)
    }

    /// The listing crate in `dir` (`listings/<chapter>/<name>`).
    pub fn find(&self, dir: &Path) -> Option<&Listing> {
        self.all().find(|l| l.dir == dir)
    }

    pub fn is_excluded(&self, dir: &Path) -> bool {
        self.excluded.iter().any(|l| l.dir == dir)
    }
}

/// What one `cargo build` of every listing produced.
pub struct Built {
    /// Package name -> its executable.
    pub executables: BTreeMap<String, PathBuf>,
    /// Crate name (`tokio`) -> its `.rlib`, for compiling samples by hand.
    pub libraries: BTreeMap<String, PathBuf>,
    /// `target/debug/deps`, where the libraries' own dependencies are.
    pub deps_dir: PathBuf,
    /// What the compiler warned about in the listings (there should be nothing).
    pub warnings: Vec<String>,
}

/// Builds every listing once per test binary (cargo does nothing when they
/// are up to date). Running cargo from inside `cargo test` is safe: the outer
/// cargo holds no lock while the tests run.
pub static BUILT: LazyLock<Built> = LazyLock::new(|| {
    let mut child = Command::new(env!("CARGO"))
        .current_dir(root())
        .args(["build", "--workspace", "--bins", "--message-format=json"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("cannot run cargo");
    let mut built = Built {
        executables: BTreeMap::new(),
        libraries: BTreeMap::new(),
        deps_dir: PathBuf::new(),
        warnings: Vec::new(),
    };
    let stdout = BufReader::new(child.stdout.take().unwrap());
    for message in Message::parse_stream(stdout) {
        let message = message.expect("bad cargo message");
        if let Message::CompilerMessage(compiler) = &message {
            let rendered = compiler.message.rendered.clone().unwrap_or_default();
            let ours = WORKSPACE
                .listings
                .iter()
                .any(|l| l.package.id == compiler.package_id);
            match compiler.message.level {
                DiagnosticLevel::Warning if ours => built.warnings.push(rendered),
                DiagnosticLevel::Error => eprint!("{rendered}"),
                _ => {}
            }
        }
        if let Message::CompilerArtifact(artifact) = message {
            if let Some(exe) = artifact.executable {
                let name = WORKSPACE
                    .listings
                    .iter()
                    .find(|l| l.package.id == artifact.package_id)
                    .map(|l| l.name.clone());
                if let Some(name) = name {
                    built.executables.insert(name, exe.into_std_path_buf());
                }
            } else if artifact.target.kind.iter().any(|k| k == "lib") {
                for file in artifact.filenames {
                    if file.extension() == Some("rlib") {
                        let file = file.into_std_path_buf();
                        built.deps_dir = file.parent().unwrap().to_path_buf();
                        built
                            .libraries
                            .insert(artifact.target.name.replace('-', "_"), file);
                    }
                }
            }
        }
    }
    let status = child.wait().unwrap();
    assert!(
        status.success(),
        "`cargo build --workspace --bins` failed (its errors are above)"
    );
    built
});

impl Built {
    pub fn executable(&self, listing: &Listing) -> &Path {
        self.executables
            .get(&listing.name)
            .unwrap_or_else(|| panic!("cargo built no executable for listing {}", listing.name))
    }
}
