//! The same workloads in CPython: python/bench.py, if python3 is here.

use super::*;

pub fn run(settings: &Settings, limits: &limits::Limits) -> Value {
    let skipped = |reason: String| {
        eprintln!("[compare-models] Python skipped: {reason}");
        json!({ "skipped": reason })
    };
    let Some(script) = machine::checkout()
        .map(|dir| dir.join("listings/compare/compare-models/python/bench.py"))
        .filter(|path| path.is_file())
    else {
        return skipped("cannot find python/bench.py in this program's checkout".to_string());
    };
    let server = match echo::EchoServer::start() {
        Ok(server) => server,
        Err(e) => return skipped(e),
    };
    settings.progress("Python: python3 python/bench.py --full (progress below)");
    // The same caps as the Rust side, except memory: bench.py divides the
    // same budget by what one of its own processes costs.
    let cap = |cap: &limits::Cap| cap.max.min(1 << 20).to_string();
    let output = Command::new("python3")
        .arg(&script)
        .arg(if settings.full { "--full" } else { "--quick" })
        .args(["--echo-port", &server.port.to_string()])
        .args(["--max-processes", &cap(&limits.processes_unbudgeted)])
        .args(["--max-threads", &cap(&limits.threads)])
        .args(["--memory-budget", &limits.memory_budget.to_string()])
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
