//! Running a listing the way the book's checks need it: bounded in time, with
//! stdout and stderr merged in the order they were written, in a fresh
//! directory, and with a check that it left nothing behind.

use std::io::Read;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

/// How long one run may take before it is killed. The goal is about 2 s;
/// the margin is for a loaded 2-core machine.
pub const TIME_LIMIT: Duration = Duration::from_secs(20);

/// How long each run took, for `BOOK_TIMES=1 cargo test` (see book.rs).
pub static TIMES: std::sync::Mutex<Vec<(Duration, String)>> = std::sync::Mutex::new(Vec::new());

/// The CPU time (user and system) of each listing run, for `BOOK_TIMES=1`.
pub static CPU_TIMES: std::sync::Mutex<Vec<(Duration, String)>> = std::sync::Mutex::new(Vec::new());

pub fn record_time(what: &str, took: Duration) {
    TIMES.lock().unwrap().push((took, what.to_owned()));
}

#[derive(Clone)]
pub struct Finished {
    pub status: ExitStatus,
    /// stdout and stderr, interleaved as written (one pipe for both).
    pub output: String,
}

/// Runs `program args` in a new process group and a fresh empty directory
/// (also its `TMPDIR`). Fails, naming `what`, if it outlives the time limit,
/// leaves a process in its group, or leaves a file in either directory.
pub fn run_bounded(what: &str, program: &Path, args: &[String]) -> Result<Finished, String> {
    run_within(TIME_LIMIT, what, program, args)
}

/// `run_bounded` with another time limit, for a run known to take longer
/// than a listing should.
pub fn run_within(
    limit: Duration,
    what: &str,
    program: &Path,
    args: &[String],
) -> Result<Finished, String> {
    let workdir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let tmpdir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let (reader, writer) = std::io::pipe().map_err(|e| e.to_string())?;
    let mut command = Command::new(program);
    super::skeptic_rustc::restore(&mut command)
        .args(args)
        .current_dir(workdir.path())
        .env("TMPDIR", tmpdir.path())
        .env_remove("RUST_BACKTRACE")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(writer.try_clone().map_err(|e| e.to_string())?)
        .stderr(writer);
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let started = Instant::now();
    let mut child = spawn(&mut command)
        .map_err(|e| format!("{what}: cannot start {}: {e}", program.display()))?;
    // The parent's copies of the pipe's write end live in `command`: drop it,
    // or reading would never see the end of the output.
    drop(command);
    let group = Pid::from_raw(child.id() as i32);

    let (sender, received) = mpsc::channel();
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let mut reader = reader;
        let _ = reader.read_to_end(&mut bytes);
        let _ = sender.send(bytes);
    });

    let (status, cpu) = loop {
        if let Some(finished) = try_wait_with_cpu(child.id())? {
            break finished;
        }
        if started.elapsed() > limit {
            let _ = killpg(group, Signal::SIGKILL);
            let _ = child.wait();
            return Err(format!(
                "{what}: still running after {} s; killed it and its process group",
                limit.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(5));
    };

    // Anything still in the group outlived the listing: a leaked process.
    let leaked = killpg(group, None).is_ok();
    if leaked {
        let _ = killpg(group, Signal::SIGKILL);
    }
    let output = received
        .recv_timeout(Duration::from_secs(5))
        .map_err(|_| format!("{what}: its output pipe stayed open after it exited"))?;
    let output = String::from_utf8(output).map_err(|_| format!("{what}: output is not UTF-8"))?;
    if leaked {
        return Err(format!(
            "{what}: left processes running after it exited (killed them)\noutput:\n{output}"
        ));
    }
    for (dir, name) in [
        (workdir.path(), "working directory"),
        (tmpdir.path(), "TMPDIR"),
    ] {
        let left: Vec<String> = std::fs::read_dir(dir)
            .map_err(|e| e.to_string())?
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        if !left.is_empty() {
            return Err(format!("{what}: left files in its {name}: {left:?}"));
        }
    }
    record_time(what, started.elapsed());
    CPU_TIMES.lock().unwrap().push((cpu, what.to_owned()));
    Ok(Finished { status, output })
}

/// Starts `command`, again after "Text file busy". skeptic's binary cache
/// touches an executable through a descriptor open for writing; a process
/// another test forks at that moment holds a copy of it until it execs, and
/// starting the executable meanwhile fails with ETXTBSY. That says nothing
/// about the program, and a later attempt starts it.
fn spawn(command: &mut Command) -> std::io::Result<std::process::Child> {
    let mut attempts = 0;
    loop {
        attempts += 1;
        match command.spawn() {
            Err(e) if attempts < 5 && e.raw_os_error() == Some(nix::libc::ETXTBSY) => {
                std::thread::sleep(Duration::from_millis(20 * attempts));
            }
            result => return result,
        }
    }
}

/// The child's exit status and the CPU time it used, once it has ended
/// (`wait4` with `WNOHANG`, which std's `try_wait` does not expose). Its
/// children's time is counted when it waited for them.
fn try_wait_with_cpu(pid: u32) -> Result<Option<(ExitStatus, Duration)>, String> {
    use nix::libc;
    use std::os::unix::process::ExitStatusExt;
    let mut status = 0;
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: both pointers are valid for writes for the whole call; `pid`
    // is our own child, which only this thread waits for.
    let reaped = unsafe { libc::wait4(pid as i32, &mut status, libc::WNOHANG, usage.as_mut_ptr()) };
    match reaped {
        0 => Ok(None),
        -1 => Err(format!("wait4: {}", std::io::Error::last_os_error())),
        _ => {
            // SAFETY: wait4 filled it in, having reaped the child.
            let usage = unsafe { usage.assume_init() };
            let time = |t: libc::timeval| {
                Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
            };
            let cpu = time(usage.ru_utime) + time(usage.ru_stime);
            Ok(Some((ExitStatus::from_raw(status), cpu)))
        }
    }
}
