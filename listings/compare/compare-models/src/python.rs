//! The same workloads in CPython: python/bench.py, if python3 is here.

use super::*;

pub fn run(settings: &Settings, limits: &limits::Limits) -> results::PythonSide {
    let skipped = |reason: String| {
        eprintln!("[compare-models] Python skipped: {reason}");
        results::PythonSide::Skipped { skipped: reason }
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
    // The same caps on threads and processes as the Rust side, except for
    // memory and open files: bench.py divides the same memory budget by what
    // one of its own processes costs, and counts its own open files.
    let cap = |cap: &limits::Cap| cap.max.min(1 << 20).to_string();
    let output = Command::new("python3")
        .arg(&script)
        .arg(if settings.full { "--full" } else { "--quick" })
        .args(["--echo-port", &server.port.to_string()])
        .args(["--max-processes", &cap(&limits.threads)])
        .args(["--max-threads", &cap(&limits.threads)])
        .args(["--memory-budget", &limits.memory_budget.to_string()])
        .stderr(Stdio::inherit())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|child| output_within(child, PYTHON_PATIENCE));
    let _ = server.stop();
    match output {
        Err(e) => skipped(format!("cannot run python3: {e}")),
        Ok(output) if !output.status.success() => {
            skipped(format!("python3 bench.py ended with {}", output.status))
        }
        // Read through the schema: a key bench.py misspells is named now,
        // not written into results.json.
        Ok(output) => match serde_json::from_slice::<results::PythonResults>(&output.stdout) {
            Ok(results) => results::PythonSide::Ran(Box::new(results)),
            Err(e) => skipped(format!("bench.py printed no results: {e}")),
        },
    }
}

/// The longest bench.py may run: about four times what the full run needs.
const PYTHON_PATIENCE: Duration = Duration::from_secs(3600);

/// Waits for `child` and collects its stdout, or kills it at `patience`.
fn output_within(mut child: Child, patience: Duration) -> std::io::Result<std::process::Output> {
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let reader = thread::spawn(move || {
        let mut bytes = Vec::new();
        stdout.read_to_end(&mut bytes).map(|_| bytes)
    });
    let deadline = Instant::now() + patience;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("no result within {} s", patience.as_secs()),
            ));
        }
        thread::sleep(Duration::from_millis(200));
    };
    let stdout = reader
        .join()
        .map_err(|_| std::io::Error::other("reader panicked"))??;
    Ok(std::process::Output {
        status,
        stdout,
        stderr: Vec::new(),
    })
}
