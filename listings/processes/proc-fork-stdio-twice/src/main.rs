use std::env;
use std::error::Error;
use std::io::{self, Write};
use std::process::{self, Command};

use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, fork};

const ROLE_VARIABLE: &str = "STDIO_TWICE_ROLE";
const BEFORE_FORK: &str = "forking... ";

// ANCHOR: demo
/// Prints an unfinished line, forks, and ends the child in one of three ways.
fn demo(variant: &str) -> Result<(), Box<dyn Error>> {
    print!("{BEFORE_FORK}"); // no newline: it waits in stdout's buffer
    if variant == "flush first" {
        io::stdout().flush()?;
    }
    // SAFETY: this program starts no threads: it is single-threaded.
    match unsafe { fork() }? {
        ForkResult::Child if variant == "_exit" => {
            // SAFETY: _exit takes no pointer; it ends the process at once,
            // without flushing the copy of the buffer the child inherited.
            unsafe { libc::_exit(0) }
        }
        // process::exit flushes stdout first: the child's copy of
        // "forking... " goes out too.
        ForkResult::Child => process::exit(0),
        ForkResult::Parent { child } => match waitpid(child, None)? {
            WaitStatus::Exited(_, 0) => println!("waited"),
            other => return Err(format!("the child failed: {other:?}").into()),
        },
    }
    Ok(())
}
// ANCHOR_END: demo

/// Runs `demo` in a copy of this program and counts, in what it printed,
/// how many times the text from before the fork appears.
fn times_printed(variant: &str) -> Result<usize, Box<dyn Error>> {
    let output = Command::new(env::current_exe()?)
        .env(ROLE_VARIABLE, variant)
        .output()?;
    if !output.status.success() {
        return Err(format!("the {variant} run failed: {}", output.status).into());
    }
    let printed = String::from_utf8(output.stdout)?;
    println!("{variant:<13} printed {printed:?}");
    Ok(printed.matches(BEFORE_FORK).count())
}

fn main() -> Result<(), Box<dyn Error>> {
    if let Ok(variant) = env::var(ROLE_VARIABLE) {
        return demo(&variant);
    }
    let twice = times_printed("process::exit")?;
    if twice != 2 {
        return Err(format!("expected the text twice, it came {twice} time(s)").into());
    }
    println!("-> {BEFORE_FORK:?} was printed twice: once by each process");
    for fix in ["flush first", "_exit"] {
        let once = times_printed(fix)?;
        if once != 1 {
            return Err(format!("with {fix}, the text came {once} time(s)").into());
        }
        println!("-> with {fix}: printed once");
    }
    Ok(())
}
