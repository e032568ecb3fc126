//! The listing crates: what `cargo metadata` says of them, and their builds.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use cargo_metadata::{DependencyKind, Metadata, MetadataCommand, Package, PackageId};
use serde::Deserialize;
use serde_json::Value;

use super::book::{BLOCKS, Block, listing_dir_of};
use super::cargo_build::{self, Report};
use super::root;

/// `[package.metadata.book]` of a listing's `Cargo.toml`. Unknown keys are
/// errors, so a misspelt `chek = "pattern"` cannot quietly mean "exact".
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct BookMetadata {
    /// The runs the book shows; none given means one run with no arguments.
    runs: Option<Vec<RunSpec>>,
}

/// One run of a listing that the book shows:
///
/// ```toml
/// [[package.metadata.book.runs]]
/// args = ["--workers", "4"]   # default: none
/// output = "output.txt"       # the file the book includes; default output.txt
/// check = "exact"             # or "any-order", or "pattern"
/// status = 0                  # the exit code the run must end with
/// ```
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RunSpec {
    #[serde(default)]
    args: Vec<String>,
    output: Option<String>,
    #[serde(default)]
    check: Check,
    #[serde(default)]
    status: i32,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Check {
    /// The output is the same, byte for byte.
    #[default]
    Exact,
    /// The same lines, in any order (threads that print concurrently).
    AnyOrder,
    /// Line by line, each line matches the regular expression on the same
    /// line of `<output>.pattern` (timings, addresses, process ids). The file
    /// the book shows must match the patterns too.
    Pattern,
}

/// A run of a listing, resolved: where its shown output is, if any.
#[derive(Debug, Clone)]
pub struct Run {
    /// 1-based, in the order of `[[package.metadata.book.runs]]`.
    pub number: usize,
    pub args: Vec<String>,
    /// The output file the book shows, relative to the repository root:
    /// the `output` named, or else `output.txt` when it exists or a chapter
    /// includes it (then `BLESS` writes it).
    pub output: Option<PathBuf>,
    pub check: Check,
    pub status: i32,
}

/// Everything the checks know of one listing crate, in one place.
pub struct Listing {
    /// The package name, which is also the directory's name.
    pub name: String,
    /// `listings/three-models/print-numbers-thread`
    pub dir: PathBuf,
    pub description: String,
    pub edition: String,
    /// A sample that must not compile: a crate the workspace excludes.
    pub excluded: bool,
    pub runs: Vec<Run>,
    /// The crates of its plain `[dependencies]` (not a `cfg(loom)` one).
    pub crates: Vec<String>,
    /// What `cargo metadata` says of it (workspace members only).
    pub package: Option<Package>,
}

impl Listing {
    fn new(dir: PathBuf, name: String, package: Option<Package>, raw: Option<&Value>) -> Self {
        let metadata: BookMetadata = match raw {
            Some(value) => serde_json::from_value(value.clone()).unwrap_or_else(|e| {
                panic!("{}/Cargo.toml: [package.metadata.book]: {e}", dir.display())
            }),
            None => BookMetadata::default(),
        };
        let runs = metadata
            .runs
            .unwrap_or_else(|| vec![RunSpec::default()])
            .into_iter()
            .enumerate()
            .map(|(index, spec)| Run {
                number: index + 1,
                output: match &spec.output {
                    Some(file) => Some(dir.join(file)),
                    None => Some(dir.join("output.txt")).filter(|file| {
                        root().join(file).exists()
                            || BLOCKS
                                .iter()
                                .any(|b| b.includes().iter().any(|i| &i.path == file))
                    }),
                },
                args: spec.args,
                check: spec.check,
                status: spec.status,
            })
            .collect();
        let (description, edition, crates) = match &package {
            Some(p) => (
                p.description.clone().unwrap_or_default(),
                p.edition.as_str().to_owned(),
                p.dependencies
                    .iter()
                    .filter(|d| d.kind == DependencyKind::Normal && d.target.is_none())
                    .map(|d| d.name.clone())
                    .collect(),
            ),
            None => (String::new(), String::new(), Vec::new()),
        };
        Listing {
            name,
            dir,
            description,
            edition,
            excluded: package.is_none(),
            runs,
            crates,
            package,
        }
    }

    /// Whether what it prints depends on being cargo's build: an output the
    /// book shows names a place in a source file (a panic's
    /// `src/main.rs:9:5`), the executable (`proc-reexec-print-numbers`) or
    /// the crate (`debug_waiting_backtraces::transfer` in a backtrace), or
    /// the crate has features, which cargo turns on and skeptic does not.
    /// skeptic's build of the same text is the crate `test` in `test.rs`, in
    /// a file with a hashed name. Such a listing's runs use cargo's build,
    /// and skeptic's build is run on its own.
    pub fn depends_on_cargos_build(&self) -> bool {
        let has_features = self
            .package
            .as_ref()
            .is_some_and(|p| !p.features.is_empty());
        let source =
            std::fs::read_to_string(root().join(&self.dir).join("src/main.rs")).unwrap_or_default();
        has_features
            || self
                .runs
                .iter()
                .filter_map(|run| run.output.as_ref())
                .any(|file| {
                    let text = std::fs::read_to_string(root().join(file)).unwrap_or_default();
                    names_a_build(&text, &source, &self.name)
                })
    }

    /// Whether its checked runs use cargo's build: the book shows no whole
    /// program of it for skeptic to build, or its output depends on the build
    /// ([`Self::depends_on_cargos_build`]).
    pub fn is_run_from_cargos_build(&self) -> bool {
        !crate::checks::skeptic::shows_program(&self.name) || self.depends_on_cargos_build()
    }

    /// The blocks of the book that show one of its files.
    pub fn shown_in(&self) -> Vec<&'static Block> {
        BLOCKS
            .iter()
            .filter(|b| {
                b.includes()
                    .iter()
                    .any(|i| listing_dir_of(&i.path).as_ref() == Some(&self.dir))
            })
            .collect()
    }

    /// `src/threads/spawn-join.md, block 3 (line 40)`, for failure messages.
    pub fn shown_where(&self) -> String {
        let places: Vec<String> = self.shown_in().iter().map(|b| b.location()).collect();
        if places.is_empty() {
            "no chapter".to_owned()
        } else {
            places.join(", ")
        }
    }

    /// `cargo metadata`'s view of a workspace member.
    pub fn member(&self) -> &Package {
        self.package
            .as_ref()
            .unwrap_or_else(|| panic!("{} is not a workspace member", self.name))
    }
}

/// The manifest of a crate the workspace excludes (a `compile_fail` sample),
/// read directly: it is not a workspace member, so `cargo metadata` of the
/// workspace does not describe it.
#[derive(Deserialize)]
struct ExcludedManifest {
    package: ExcludedPackage,
    #[serde(default)]
    dependencies: toml::Table,
}

#[derive(Deserialize)]
struct ExcludedPackage {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    edition: String,
    metadata: Option<toml::Table>,
}

pub struct Workspace {
    pub metadata: Metadata,
    /// Every listing crate: the workspace's members under `listings/`, then
    /// the crates it excludes (samples that must not compile).
    pub listings: Vec<Listing>,
}

pub static WORKSPACE: LazyLock<Workspace> = LazyLock::new(|| {
    let metadata = MetadataCommand::new()
        .manifest_path(root().join("Cargo.toml"))
        .no_deps()
        .exec()
        .expect("cargo metadata failed");
    let mut listings = Vec::new();
    for package in metadata.workspace_packages() {
        let Some(dir) = package.manifest_path.parent() else {
            continue;
        };
        let Ok(dir) = dir.as_std_path().strip_prefix(root()) else {
            continue;
        };
        if dir.starts_with("listings") {
            let raw = package.metadata.get("book").cloned();
            listings.push(Listing::new(
                dir.to_path_buf(),
                package.name.to_string(),
                Some(package.clone()),
                raw.as_ref(),
            ));
        }
    }
    for manifest in listing_manifests() {
        let dir = manifest.parent().unwrap().to_path_buf();
        if listings.iter().any(|l| l.dir == dir) {
            continue;
        }
        let text = std::fs::read_to_string(root().join(&manifest)).unwrap();
        let parsed: ExcludedManifest =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", manifest.display()));
        let raw = parsed
            .package
            .metadata
            .and_then(|m| m.get("book").cloned())
            .map(|book| serde_json::to_value(book).unwrap());
        let mut listing = Listing::new(dir, parsed.package.name, None, raw.as_ref());
        listing.description = parsed.package.description;
        listing.edition = parsed.package.edition;
        listing.crates = parsed.dependencies.keys().cloned().collect();
        listings.push(listing);
    }
    listings.sort_by(|a, b| (a.excluded, &a.dir).cmp(&(b.excluded, &b.dir)));
    Workspace { metadata, listings }
});

/// The edition of the workspace (`[workspace.package]`), which the harness
/// inherits like every listing: the edition skeptic must compile with.
/// Whether `output` names a place in a source file, or the package or crate
/// `name` where the program's `source` does not spell it (a usage line).
/// A listing misjudged here is never passed wrongly: judged independent of
/// cargo's build when it is not, its run fails; judged dependent when it is
/// not, it only runs twice.
pub fn names_a_build(output: &str, source: &str, name: &str) -> bool {
    let spelt_elsewhere = |name: &str| output.contains(name) && !source.contains(name);
    output.contains(".rs:") || spelt_elsewhere(name) || spelt_elsewhere(&name.replace('-', "_"))
}

pub fn workspace_edition() -> &'static str {
    WORKSPACE
        .metadata
        .root_package()
        .expect("the root package is the harness")
        .edition
        .as_str()
}

/// `listings/<chapter>/<name>/Cargo.toml` for every crate under `listings/`.
fn listing_manifests() -> Vec<PathBuf> {
    walkdir::WalkDir::new(root().join("listings"))
        .min_depth(3)
        .max_depth(3)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|entry| entry.file_name() == "Cargo.toml")
        .map(|entry| entry.path().strip_prefix(root()).unwrap().to_path_buf())
        .collect()
}

impl Workspace {
    /// Every listing crate: the workspace's and the excluded `compile_fail`
    /// samples.
    pub fn all(&self) -> impl Iterator<Item = &Listing> {
        self.listings.iter()
    }

    /// The listings that build and run (workspace members).
    pub fn members(&self) -> impl Iterator<Item = &Listing> {
        self.listings.iter().filter(|l| !l.excluded)
    }

    /// The samples that must not compile (excluded from the workspace).
    pub fn excluded(&self) -> impl Iterator<Item = &Listing> {
        self.listings.iter().filter(|l| l.excluded)
    }

    /// The listing crate in `dir` (`listings/<chapter>/<name>`).
    pub fn find(&self, dir: &Path) -> Option<&Listing> {
        self.all().find(|l| l.dir == dir)
    }

    pub fn named(&self, name: &str) -> Option<&Listing> {
        self.all().find(|l| l.name == name)
    }

    /// The workspace member cargo names `id` in its messages.
    pub fn by_package_id(&self, id: &PackageId) -> Option<&Listing> {
        self.members()
            .find(|l| l.package.as_ref().is_some_and(|p| &p.id == id))
    }

    pub fn is_excluded(&self, dir: &Path) -> bool {
        self.excluded().any(|l| l.dir == dir)
    }
}

/// The build of every listing: each listing's executable, or the compiler's
/// errors in it (a listing that does not compile fails only its own checks);
/// `Err` only when something else failed to build.
pub fn built() -> Result<&'static Report, String> {
    BUILT.as_ref().map_err(Clone::clone)
}

/// Builds, once per test binary, the listings whose checks run cargo's
/// build ([`Listing::is_run_from_cargos_build`]); cargo does nothing when
/// they are up to date. skeptic builds all the others from the book's text,
/// so cargo compiling them too would only double the work of a cold run.
/// Running cargo from inside `cargo test` is safe: the outer cargo holds no
/// lock while the tests run.
///
/// `--test book` adds nothing to build (this very harness is built), but it
/// makes cargo resolve the features of shared crates (libc, nix, regex...) as
/// `cargo test` did, and it reports the harness's libraries, which the
/// `compile_fail` samples are compiled against: without it, about a dozen
/// crates would be compiled a second time, with other features.
static BUILT: LazyLock<Result<Report, String>> = LazyLock::new(|| {
    let mut args = vec!["build"];
    for listing in WORKSPACE.members().filter(|l| l.is_run_from_cargos_build()) {
        args.extend(["-p", listing.name.as_str()]);
    }
    args.extend(["-p", env!("CARGO_PKG_NAME"), "--bins", "--test", "book"]);
    cargo_build::build(&args)
});
