//! How many threads, processes and sockets the system would allow.

use super::*;

/// tokio's default cap on the threads of its blocking pool.
pub const BLOCKING_THREADS: usize = 512;
/// Room left for everything else (the runtime's threads, open files).
const MARGIN: u64 = 256;

/// `VmRSS:` from /proc/PID/status, `Pss:` from smaps_rollup... in KiB.
pub fn status_field(file: &str, field: &str) -> Result<i64, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {file}: {e}"))?;
    text.lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
        .ok_or_else(|| format!("no {field} in {file}"))
}

fn read_number(file: &str) -> Option<u64> {
    std::fs::read_to_string(file).ok()?.trim().parse().ok()
}

/// The soft limit named `name` in /proc/self/limits (None: unlimited).
fn soft_limit(name: &str) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = text.lines().find(|line| line.starts_with(name))?;
    line[name.len()..].split_whitespace().next()?.parse().ok()
}

/// Raises this process's soft limit on open files to its hard limit, and
/// says what it did. A run of 10,000 requests or worker processes needs
/// 10,000 sockets or pipes, and the usual soft limit is 1,024; a Rust
/// program does not raise it by itself. Children (bench.py, the workers)
/// inherit the raised limit.
pub fn raise_open_files() -> String {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    let Ok((soft, hard)) = getrlimit(Resource::RLIMIT_NOFILE) else {
        return "cannot read RLIMIT_NOFILE".to_string();
    };
    let show = |limit: u64| {
        if limit == nix::sys::resource::RLIM_INFINITY {
            "unlimited".to_string()
        } else {
            tables::count(limit as f64)
        }
    };
    if soft >= hard {
        return format!("the soft limit is already the hard limit, {}", show(hard));
    }
    // An unlimited hard limit still stops at the kernel's fs.nr_open.
    let target = if hard == nix::sys::resource::RLIM_INFINITY {
        read_number("/proc/sys/fs/nr_open")
            .unwrap_or(soft)
            .max(soft)
    } else {
        hard
    };
    match setrlimit(Resource::RLIMIT_NOFILE, target, hard) {
        Ok(()) => format!(
            "raised the soft limit from {} to {} (the hard limit is {})",
            show(soft),
            show(target),
            show(hard)
        ),
        Err(e) => format!(
            "the soft limit stays {}: raising it to the hard limit, {}, failed ({e})",
            show(soft),
            show(hard)
        ),
    }
}

#[derive(Clone)]
pub struct Cap {
    pub max: usize,
    pub reason: String,
}

impl Cap {
    fn none() -> Cap {
        Cap {
            max: usize::MAX,
            reason: "no limit found".to_string(),
        }
    }

    /// Keeps the smaller of the two caps.
    fn lower(self, max: u64, reason: String) -> Cap {
        if (max as usize) < self.max {
            Cap {
                max: max as usize,
                reason,
            }
        } else {
            self
        }
    }

    pub fn min<'a>(&'a self, other: &'a Cap) -> &'a Cap {
        if other.max < self.max { other } else { self }
    }
}

pub struct Limits {
    pub threads: Cap,
    /// Processes as the system's limits allow, before the memory budget...
    pub processes_unbudgeted: Cap,
    /// ...and with it (see `budget_processes`).
    pub processes: Cap,
    pub sockets: Cap,
    /// The memory the program allows its worker processes: a quarter of
    /// what the kernel reports as available (MemAvailable), in bytes.
    pub memory_budget: i64,
}

impl Limits {
    pub fn read() -> Limits {
        // Threads and processes are both tasks to the kernel: count
        // every one in the system (the 4th field of /proc/loadavg).
        let tasks = std::fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|text| {
                let field = text.split_whitespace().nth(3)?.to_string();
                field.split('/').nth(1)?.parse::<u64>().ok()
            })
            .unwrap_or(0);
        let room = |limit: u64| limit.saturating_sub(tasks + MARGIN);
        let mut threads = Cap::none();
        if let Some(nproc) = soft_limit("Max processes") {
            threads = threads.lower(
                room(nproc),
                format!("RLIMIT_NPROC is {nproc}, {tasks} tasks exist"),
            );
        }
        if let Some(max) = read_number("/proc/sys/kernel/threads-max") {
            threads = threads.lower(
                room(max),
                format!("kernel.threads-max is {max}, {tasks} tasks exist"),
            );
        }
        if let Some(max) = read_number("/proc/sys/kernel/pid_max") {
            threads = threads.lower(
                room(max),
                format!("kernel.pid_max is {max}, {tasks} tasks exist"),
            );
        }
        let open_files = std::fs::read_dir("/proc/self/fd").map_or(0, |dir| dir.count() as u64);
        let mut sockets = Cap::none();
        let mut processes = threads.clone();
        if let Some(nofile) = soft_limit("Max open files") {
            let free = nofile.saturating_sub(open_files + MARGIN);
            sockets = sockets.lower(
                free,
                format!(
                    "RLIMIT_NOFILE is {}: one socket per request",
                    tables::count(nofile as f64)
                ),
            );
            // A worker that only waits (worker::Worker::start_with) leaves
            // this process one pipe, its stdout; stdin is closed at once.
            processes = processes.lower(
                free,
                format!(
                    "RLIMIT_NOFILE is {}: one pipe per worker process",
                    tables::count(nofile as f64)
                ),
            );
        }
        let available = status_field("/proc/meminfo", "MemAvailable:").unwrap_or(0) * 1024;
        Limits {
            threads,
            processes_unbudgeted: processes.clone(),
            processes,
            sockets,
            memory_budget: available / 4,
        }
    }

    /// Caps the processes at the memory budget, at `per_process` bytes each
    /// (the median of the memory measured per idle worker process).
    pub fn budget_processes(&mut self, per_process: f64) {
        if per_process > 0.0 && self.memory_budget > 0 {
            let reason = format!(
                "{} MiB, a quarter of MemAvailable, at {} KiB per process",
                tables::count((self.memory_budget >> 20) as f64),
                tables::count(per_process / 1024.0)
            );
            let max = (self.memory_budget as f64 / per_process) as u64;
            self.processes = self.processes_unbudgeted.clone().lower(max, reason);
        }
    }

    pub fn summary(&self) -> String {
        let show = |cap: &Cap| {
            if cap.max == usize::MAX {
                "no limit found".to_string()
            } else {
                format!("{} ({})", cap.max, cap.reason)
            }
        };
        format!(
            "threads up to {}\n        processes up to {}\n        sockets up to {}",
            show(&self.threads),
            show(&self.processes),
            show(&self.sockets)
        )
    }

    pub fn to_result(&self) -> results::Limits {
        let cap = |cap: &Cap| results::Limit {
            max: (cap.max != usize::MAX).then_some(cap.max as u64),
            reason: cap.reason.clone(),
        };
        results::Limits {
            memory_budget_bytes: self.memory_budget,
            processes: cap(&self.processes),
            processes_unbudgeted: cap(&self.processes_unbudgeted),
            sockets: cap(&self.sockets),
            threads: cap(&self.threads),
        }
    }
}
