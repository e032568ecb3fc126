use std::path::PathBuf;
use std::sync::Mutex;

// ANCHOR: count
use std::error::Error;
use std::fs;
use std::io;
use std::path::Path;
use std::process;
use std::thread;
use std::time::{Duration, Instant};
// ANCHOR_END: count

/// A directory that is removed when this value is dropped: on success, on
/// an early return through `?`, and while unwinding from a panic.
struct ScratchDir(PathBuf);

impl ScratchDir {
    fn create() -> io::Result<ScratchDir> {
        // The process id makes the name unique among concurrent runs.
        let path = std::env::temp_dir().join(format!("threads-word-count-{}", process::id()));
        fs::create_dir(&path)?;
        Ok(ScratchDir(path))
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        if let Err(e) = fs::remove_dir_all(&self.0) {
            eprintln!("could not remove {}: {e}", self.0.display());
        }
    }
}

/// When each thread's wait began and ended, to tell whether the waits overlapped.
static WAITS: Mutex<Vec<(Instant, Instant)>> = Mutex::new(Vec::new());

// ANCHOR: count

/// The files to count, with the text each will hold.
const CHAPTERS: [(&str, &str); 3] = [
    (
        "spawn.txt",
        "a thread runs a closure and join waits for it to end",
    ),
    (
        "channels.txt",
        "a channel carries values from senders to a receiver",
    ),
    (
        "locks.txt",
        "a mutex lets one thread at a time change the data",
    ),
];

/// How long each read is made to take.
const READ_TIME: Duration = Duration::from_millis(100);

/// Reads one file and counts its words.
fn count_words(path: &Path) -> io::Result<usize> {
    let text = fs::read_to_string(path)?;
    // Simulate a slow network drive: every read waits READ_TIME.
    // ANCHOR_END: count
    let began = Instant::now();
    // ANCHOR: count
    thread::sleep(READ_TIME);
    // ANCHOR_END: count
    WAITS.lock().unwrap().push((began, Instant::now()));
    // ANCHOR: count
    Ok(text.split_whitespace().count())
}

/// Counts the words of each chapter's file in `dir`, one thread per file.
fn count_all(dir: &Path) -> io::Result<Vec<(String, usize)>> {
    thread::scope(|scope| {
        let mut handles = Vec::new();
        for (file_name, _) in CHAPTERS {
            let path = dir.join(file_name);
            // All the threads start before any is joined: their waits overlap.
            handles.push((file_name, scope.spawn(move || count_words(&path))));
        }
        let mut counts = Vec::new();
        for (file_name, handle) in handles {
            // `join` fails only if the thread panicked: `unwrap` passes the
            // panic on. `?` passes on a file that could not be read.
            let words = handle.join().unwrap()?;
            counts.push((file_name.to_string(), words));
        }
        Ok(counts)
    })
}
// ANCHOR_END: count

/// Whether the `count` waits overlapped: there was a moment when all of them were under
/// way, that is, the last to begin began before the first to end ended. Load from other
/// programs can delay a thread's start or its wake-up, and so the total time, but not undo
/// that overlap.
fn waits_overlapped(count: usize) -> bool {
    let waits = WAITS.lock().unwrap();
    let last_began = waits.iter().map(|w| w.0).max();
    let first_ended = waits.iter().map(|w| w.1).min();
    waits.len() == count && last_began < first_ended
}

// ANCHOR: main
// Continued from the previous part.
fn run() -> Result<(), Box<dyn Error>> {
    let scratch = ScratchDir::create()?;
    for (file_name, text) in CHAPTERS {
        fs::write(scratch.0.join(file_name), text)?;
    }
    let started = Instant::now();
    let counts = count_all(&scratch.0)?;
    let elapsed = started.elapsed().as_millis();
    for (file_name, words) in &counts {
        println!("{file_name:<14} {words} words");
    }
    let one_after_another = READ_TIME.as_millis() * counts.len() as u128;
    // Whether there was a moment when every read was waiting at once.
    let overlapped = waits_overlapped(counts.len());
    let verdict = if overlapped {
        "the reads overlapped"
    } else {
        "the reads did NOT overlap"
    };
    println!(
        "{} files, each a {} ms read, took {elapsed} ms together \
         ({one_after_another} ms one after another): {verdict}",
        counts.len(),
        READ_TIME.as_millis()
    );
    // `scratch` is dropped here, and the directory with it.
    // ANCHOR_END: main
    if !overlapped {
        return Err("the threads waited one after another".into());
    }
    // ANCHOR: main
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("word count failed: {e}");
        process::exit(1);
    }
}
// ANCHOR_END: main
