// ANCHOR: all
use std::os::unix::process::CommandExt;
use std::process::{self, Command};

/// The script `sh` runs once it has replaced us. `$$` is its own pid and
/// `$1` the pid we pass it: the same number means the same process.
const SCRIPT: &str = r#"
echo "sh: STAGE is '$STAGE'"
if [ "$$" = "$1" ]; then
    echo "sh: my pid is the wrapper's: the same process, now running sh"
else
    echo "sh: my pid is not the wrapper's"; exit 1
fi"#;

fn main() {
    let pid = process::id().to_string();
    // Rust's stdout writes each whole line at once, so this one is out.
    // Text still in a buffer (a print! without a newline, a BufWriter)
    // would be lost: exec runs no destructor and flushes nothing.
    println!("wrapper: setting STAGE, then becoming sh");
    let error = Command::new("sh")
        .args(["-c", SCRIPT, "sh", &pid])
        .env("STAGE", "set by the wrapper")
        .exec();
    // exec returns only if it failed; on success this line never runs.
    eprintln!("cannot run sh: {error}");
    process::exit(1);
}
// ANCHOR_END: all
