//! The same workloads in CPython: python/bench.py, if python3 is here.

use super::*;

pub fn run(settings: &Settings, limits: &limits::Limits) -> Value {
    let skipped = |reason: String| {
        eprintln!("[compare-models] Python skipped: {reason}");
        json!({ "skipped": reason })
    };
    let Some(script) = bench_script() else {
        return skipped("cannot find python/bench.py beside this program's crate".to_string());
    };
    let server = match echo::EchoServer::start() {
        Ok(server) => server,
        Err(e) => return skipped(e),
    };
    settings.progress("Python: python3 python/bench.py --full (progress below)");
    let output = Command::new("python3")
        .arg(&script)
        .arg(if settings.full { "--full" } else { "--quick" })
        .args(["--echo-port", &server.port.to_string()])
        .args([
            "--max-processes",
            &limits.processes.max.min(1 << 20).to_string(),
        ])
        .stderr(Stdio::inherit())
        .output();
    let _ = server.stop();
    match output {
        Err(e) => skipped(format!("cannot run python3: {e}")),
        Ok(output) if !output.status.success() => {
            skipped(format!("python3 bench.py ended with {}", output.status))
        }
        Ok(output) => match serde_json::from_slice::<Value>(&output.stdout) {
            Ok(results) => results,
            Err(e) => skipped(format!("bench.py printed no JSON: {e}")),
        },
    }
}

/// `python/bench.py` of this crate: in the checkout whose target directory
/// holds this executable, or else where cargo compiled the crate (a path
/// baked in at compile time may name a copy that is gone).
fn bench_script() -> Option<PathBuf> {
    const IN_THE_BOOK: &str = "listings/compare/compare-models/python/bench.py";
    let exe = env::current_exe().ok()?;
    let beside_exe = exe.ancestors().map(|dir| dir.join(IN_THE_BOOK));
    let from_manifest =
        option_env!("CARGO_MANIFEST_DIR").map(|dir| Path::new(dir).join("python").join("bench.py"));
    beside_exe.chain(from_manifest).find(|path| path.is_file())
}
