use std::error::Error;
use std::process;
use std::thread;

use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, fork};

// ANCHOR: all
fn main() -> Result<(), Box<dyn Error>> {
    let mut balance = 100;
    println!("start: balance = {balance}, at {:p}", &balance);

    // SAFETY: no thread has been started yet: the process is single-threaded.
    match unsafe { fork() }? {
        ForkResult::Child => {
            // The child's `balance` is a copy: same address, its own page.
            balance += 50;
            println!("child process: balance = {balance}, at {:p}", &balance);
            process::exit(0);
        }
        ForkResult::Parent { child } => match waitpid(child, None)? {
            WaitStatus::Exited(_, 0) => {}
            other => return Err(format!("the child did not succeed: {other:?}").into()),
        },
    }
    println!(
        "parent, after the child process: balance = {balance}, at {:p}",
        &balance
    );

    // A thread shares the process's memory: its change is the parent's.
    thread::scope(|scope| {
        scope.spawn(|| {
            balance += 50;
            println!("thread: balance = {balance}");
        });
    });
    println!("parent, after the thread: balance = {balance}");
    Ok(())
}
// ANCHOR_END: all
