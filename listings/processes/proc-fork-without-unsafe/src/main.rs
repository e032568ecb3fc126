use std::error::Error;
use std::process;

use nix::sys::wait::waitpid;
use nix::unistd::{ForkResult, fork};

fn main() -> Result<(), Box<dyn Error>> {
    match fork()? {
        ForkResult::Child => {
            println!("child: hello");
            process::exit(0);
        }
        ForkResult::Parent { child } => {
            waitpid(child, None)?;
        }
    }
    Ok(())
}
