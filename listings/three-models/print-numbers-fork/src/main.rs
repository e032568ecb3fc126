// ANCHOR: all
use std::error::Error;
use std::process;

use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, fork};

fn print_numbers() {
    for i in 0..5 {
        println!("{i}");
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    // SAFETY: this program has a single thread when it forks, so the child
    // starts with no lock held by a thread that does not exist in it.
    match unsafe { fork() }? {
        ForkResult::Child => {
            print_numbers();
            // End the child here; returning would run the parent's code below.
            process::exit(0);
        }
        ForkResult::Parent { child } => {
            // Wait for the process to finish, and check how it finished.
            match waitpid(child, None)? {
                WaitStatus::Exited(_, 0) => Ok(()),
                other => Err(format!("the child did not succeed: {other:?}").into()),
            }
        }
    }
}
// ANCHOR_END: all
