//! What the results were measured on.

use super::*;

fn command_output(program: &str, args: &[&str]) -> Option<String> {
    let output = Command::new(program).args(args).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

pub fn describe(cores: usize, full: bool) -> Value {
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
    // Asking rustc costs a process: only the full run records it.
    let rustc = full
        .then(|| command_output("rustc", &["-V"]))
        .flatten()
        .unwrap_or_else(|| "unknown".to_string());
    json!({
        "cpu": cpu,
        "cores": cores,
        "os": os,
        "kernel": if full { command_output("uname", &["-r"]) } else { None },
        "memory_mib": memory,
        "rustc": rustc,
        "build": if cfg!(debug_assertions) { "debug" } else { "release" },
    })
}
