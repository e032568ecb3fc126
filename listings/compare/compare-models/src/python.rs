//! The same workloads in CPython: python/bench.py, if python3 is here.

use super::*;

pub fn run(settings: &Settings, limits: &limits::Limits) -> Value {
    let skipped = |reason: String| {
        eprintln!("[compare-models] Python skipped: {reason}");
        json!({ "skipped": reason })
    };
    let Some(dir) = option_env!("CARGO_MANIFEST_DIR") else {
        return skipped("built outside cargo: cannot find python/bench.py".to_string());
    };
    let script = Path::new(dir).join("python").join("bench.py");
    if !script.is_file() {
        return skipped(format!("{} does not exist", script.display()));
    }
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
