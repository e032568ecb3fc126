//! Linux only: PR_SET_PDEATHSIG and PR_SET_CHILD_SUBREAPER are prctl(2) calls.

#[cfg(target_os = "linux")]
use {
    nix::errno::Errno,
    nix::sys::prctl::{set_child_subreaper, set_pdeathsig},
    nix::sys::signal::{Signal, kill},
    nix::sys::wait::{WaitStatus, waitpid},
    nix::unistd::{Pid, getpid, getppid},
    std::collections::HashMap,
    std::env,
    std::error::Error,
    std::io::{self, BufRead, BufReader, Read},
    std::os::unix::process::CommandExt,
    std::process::{Child, Command, Stdio},
    std::thread,
    std::time::Duration,
};

#[cfg(target_os = "linux")]
const ROLE_VARIABLE: &str = "DIE_WITH_PARENT_ROLE";

#[cfg(target_os = "linux")]
// ANCHOR: workers
/// Starts a copy of this program that asks the kernel for SIGTERM when its
/// parent (this process) dies.
fn start_with_pdeathsig() -> io::Result<Child> {
    let parent = getpid();
    let mut command = Command::new(env::current_exe()?);
    command
        .env(ROLE_VARIABLE, "pdeathsig")
        .stdout(Stdio::null());
    // SAFETY: the closure runs in the child between fork and exec, where
    // only async-signal-safe calls are allowed: it makes two system calls
    // and builds an io::Error from a number, which does not allocate.
    unsafe {
        command.pre_exec(move || {
            set_pdeathsig(Signal::SIGTERM).map_err(|e| io::Error::from_raw_os_error(e as i32))?;
            // If the parent died before the call above, no signal will come.
            if getppid() != parent {
                return Err(io::Error::from_raw_os_error(libc::ESRCH));
            }
            Ok(())
        })
    };
    command.spawn()
}

// ANCHOR_END: workers
#[cfg(target_os = "linux")]
// ANCHOR: workers
/// Starts a copy of this program that works until its stdin ends. Only
/// this process holds the write end of that pipe.
fn start_until_stdin_ends() -> io::Result<Child> {
    Command::new(env::current_exe()?)
        .env(ROLE_VARIABLE, "stdin")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
}

// ANCHOR_END: workers
#[cfg(target_os = "linux")]
// ANCHOR: workers
/// What each worker does: wait. Neither would end on its own within 5 s.
fn worker(kind: &str) -> Result<(), Box<dyn Error>> {
    if kind == "stdin" {
        io::stdin().read_to_end(&mut Vec::new())?; // returns at the end
        return Ok(());
    }
    thread::sleep(Duration::from_secs(5));
    Err("no parent-death signal came".into())
}
// ANCHOR_END: workers

#[cfg(target_os = "linux")]
// ANCHOR: middle
/// The middle process: starts both workers, says so, and waits to be
/// killed. It never waits for its workers: it dies first.
fn middle() -> Result<(), Box<dyn Error>> {
    let by_signal = start_with_pdeathsig()?;
    let by_stdin = start_until_stdin_ends()?;
    println!("{} {}", by_signal.id(), by_stdin.id());
    thread::sleep(Duration::from_secs(5)); // the top kills us long before
    Err("nobody killed the middle process".into())
}
// ANCHOR_END: middle

// ANCHOR: top
#[cfg(target_os = "linux")]
fn main() -> Result<(), Box<dyn Error>> {
    match env::var(ROLE_VARIABLE).as_deref() {
        Ok("middle") => return middle(),
        Ok(kind) => return worker(kind),
        Err(_) => {}
    }
    // Orphaned descendants come to us, so we can see how they end.
    set_child_subreaper(true)?;
    let mut middle = Command::new(env::current_exe()?)
        .env(ROLE_VARIABLE, "middle")
        .stdout(Stdio::piped())
        .spawn()?;
    let mut pids = String::new();
    let stdout = middle.stdout.take().expect("stdout is piped");
    let read = BufReader::new(stdout).read_line(&mut pids);
    // The crash: SIGKILL, so the middle process runs no code of its own.
    let killed = kill(Pid::from_raw(middle.id() as i32), Signal::SIGKILL);
    if killed.is_err() {
        let _ = middle.kill(); // reap it below in any case
    }
    let status = middle.wait()?;
    killed?;
    read?;
    println!("top: the middle process started two workers and was killed: {status}");
    // Reap every adopted descendant first, so that no error below leaves
    // one behind.
    let endings = reap_adopted()?;
    report_endings(&pids, endings)
}
// ANCHOR_END: top

/// Reaps every child, adopted ones included, and says how each ended;
/// none is left when waitpid says ECHILD. waitpid(None) reaps any child
/// of ours: it is safe here only because this process holds no std Child
/// of a running process (see the text).
#[cfg(target_os = "linux")]
fn reap_adopted() -> nix::Result<Vec<(Pid, String)>> {
    let mut endings = Vec::new();
    loop {
        match waitpid(None, None) {
            Ok(WaitStatus::Exited(pid, code)) => {
                endings.push((pid, format!("exited with code {code}")))
            }
            Ok(WaitStatus::Signaled(pid, signal, _)) => {
                endings.push((pid, format!("was killed by {signal}")))
            }
            Ok(_) => {}
            Err(Errno::ECHILD) => return Ok(endings),
            Err(Errno::EINTR) => {}
            Err(e) => return Err(e),
        }
    }
}

/// Names each adopted worker by the way it was told to end, prints how it
/// ended, and fails unless both ended with their parent.
#[cfg(target_os = "linux")]
fn report_endings(pids: &str, mut endings: Vec<(Pid, String)>) -> Result<(), Box<dyn Error>> {
    let names: HashMap<i32, &str> = pids
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<Vec<i32>, _>>()?
        .into_iter()
        .zip(["PR_SET_PDEATHSIG", "end of stdin"])
        .collect();
    endings.sort_by_key(|(pid, _)| names.get(&pid.as_raw()).copied());
    for (pid, ending) in &endings {
        let name = names
            .get(&pid.as_raw())
            .copied()
            .unwrap_or("an unknown process");
        println!("top: adopted the worker using {name}; it {ending}");
    }
    let expected = ["was killed by SIGTERM", "exited with code 0"];
    let got: Vec<&str> = endings.iter().map(|(_, e)| e.as_str()).collect();
    if endings.len() != 2 || got.iter().zip(expected).any(|(g, e)| *g != e) {
        return Err("the workers did not end with their parent".into());
    }
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn main() {
    println!("proc-die-with-parent runs on Linux only: it uses prctl(2)");
}
