use std::env;
use std::error::Error;
use std::process::Command;

// ANCHOR: all
/// Set in the environment of the copy that should act as the worker.
const ROLE_VARIABLE: &str = "PRINT_NUMBERS_ROLE";

fn print_numbers() {
    for i in 0..5 {
        println!("{i}");
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    if env::var_os(ROLE_VARIABLE).is_some_and(|role| role == "worker") {
        // We are the child: do the work and return, ending the process.
        print_numbers();
        return Ok(());
    }
    // We are the parent: start this same program again, as the worker.
    let this_program = env::current_exe()?;
    let name = this_program
        .file_name()
        .unwrap_or_default()
        .to_string_lossy();
    println!("parent: starting {name} again, as a worker");
    let mut worker = Command::new(&this_program)
        .env(ROLE_VARIABLE, "worker")
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", this_program.display()))?;
    let status = worker.wait()?; // process.join()
    if !status.success() {
        return Err(format!("the worker failed: {status}").into());
    }
    println!("parent: the worker ended: {status}");
    Ok(())
}
// ANCHOR_END: all
