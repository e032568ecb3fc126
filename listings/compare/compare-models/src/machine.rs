//! What the results were measured on, and with what.

use super::*;

fn command_output(program: &str, args: &[&str], dir: Option<&Path>) -> Option<String> {
    let mut command = Command::new(program);
    command.args(args).stderr(Stdio::null());
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let output = command.output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// The checkout of the book this program was built from: the one whose
/// target directory holds this executable, or else where cargo compiled the
/// crate (a path baked in at compile time may name a copy that is gone).
pub fn checkout() -> Option<PathBuf> {
    const MANIFEST: &str = "listings/compare/compare-models/Cargo.toml";
    let exe = env::current_exe().ok()?;
    let from_manifest =
        option_env!("CARGO_MANIFEST_DIR").map(|dir| PathBuf::from(dir).join("../../.."));
    let candidates = exe.ancestors().map(Path::to_path_buf).chain(from_manifest);
    candidates
        .into_iter()
        .find(|dir| dir.join(MANIFEST).is_file())
}

pub fn describe(cores: usize, full: bool) -> results::Machine {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            let line = text.lines().find(|l| l.starts_with("model name"))?;
            Some(line.split_once(':')?.1.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".to_string());
    let os = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|text| {
            let line = text.lines().find(|l| l.starts_with("PRETTY_NAME="))?;
            Some(line["PRETTY_NAME=".len()..].trim_matches('"').to_string())
        })
        .unwrap_or_else(|| env::consts::OS.to_string());
    let memory = limits::status_field("/proc/meminfo", "MemTotal:").unwrap_or(0) >> 10;
    // Asking rustc costs a process: only the full run records it. Asked in
    // the checkout, it is the toolchain that rust-toolchain.toml names.
    let rustc = full
        .then(|| command_output("rustc", &["-V"], checkout().as_deref()))
        .flatten()
        .unwrap_or_else(|| "unknown".to_string());
    let build = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    results::Machine {
        build: build.to_string(),
        cores: cores as u32,
        cpu,
        kernel: full
            .then(|| command_output("uname", &["-r"], None))
            .flatten(),
        memory_mib: memory as u64,
        os,
        rustc,
    }
}

/// When, from which commit, with which crates and by which command.
pub struct Provenance {
    pub date: Option<String>,
    pub command: String,
    pub commit: Option<String>,
    pub uncommitted_changes: Option<bool>,
    pub crates: BTreeMap<String, String>,
}

/// Asks date, git and cargo, before the run writes into the checkout.
pub fn provenance(args: &[String]) -> Provenance {
    let checkout = checkout();
    let dir = checkout.as_deref();
    let git = |args: &[&str]| command_output("git", args, dir);
    let crates = ["tokio", "rayon", "plotters", "serde_json"]
        .into_iter()
        .map(|name| {
            // `registry+https://...#tokio@1.54.1`: the version Cargo.lock holds.
            let id = command_output("cargo", &["pkgid", "--offline", "-p", name], dir);
            let version = id
                .as_deref()
                .and_then(|id| id.rsplit_once('@'))
                .map(|(_, v)| v);
            (name.to_string(), version.unwrap_or("unknown").to_string())
        })
        .collect();
    // Run by `cargo run`, which sets CARGO_PKG_NAME, or directly.
    let program = if env::var_os("CARGO_PKG_NAME").is_some() {
        let profile = if cfg!(debug_assertions) {
            ""
        } else {
            " --release"
        };
        format!("cargo run{profile} -p compare-models --")
    } else {
        env::args()
            .next()
            .unwrap_or_else(|| "compare-models".to_string())
    };
    let command = std::iter::once(program)
        .chain(args.iter().cloned())
        .collect::<Vec<_>>()
        .join(" ");
    Provenance {
        date: command_output("date", &["-u", "+%Y-%m-%dT%H:%M:%SZ"], None),
        command,
        commit: git(&["rev-parse", "HEAD"]),
        uncommitted_changes: git(&["status", "--porcelain"]).map(|s| !s.is_empty()),
        crates,
    }
}

/// The 1, 5 and 15 minute load averages from /proc/loadavg, if readable.
pub fn load_average() -> Option<[f64; 3]> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    let mut fields = text.split_whitespace().map(|f| f.parse::<f64>().ok());
    Some([fields.next()??, fields.next()??, fields.next()??])
}
