use std::env;
use std::error::Error;
use std::fs::File;
use std::io::{self, Read};
use std::num::NonZeroUsize;
use std::os::fd::{AsFd, OwnedFd};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};

use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::sys::mman::{MapFlags, ProtFlags, mmap, shm_open, shm_unlink};
use nix::sys::stat::Mode;
use nix::unistd::ftruncate;

const ROLE_VARIABLE: &str = "SHM_WORKER";
const WORKERS: u64 = 2;
const INCREMENTS: u64 = 500_000;
/// How many random names to try before giving up.
const NAME_TRIES: u32 = 10;
/// The start of the object's name, before 16 random hex digits.
const NAME_PREFIX: &str = "/pshm-";

/// A new shared memory object big enough for one counter. Its name is
/// random (a pid would be easy to guess and to create first), and exists
/// only for the moment it takes to open it: unlinked at once, the object
/// lives as long as a descriptor or a mapping refers to it, and nothing is
/// left behind whatever happens next.
fn shared_object() -> Result<OwnedFd, Box<dyn Error>> {
    let flags = OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_RDWR;
    for _ in 0..NAME_TRIES {
        // 22 bytes: macOS refuses a name longer than 31 (ENAMETOOLONG).
        let name = format!("{NAME_PREFIX}{:016x}", random_u64()?);
        let object = match shm_open(name.as_str(), flags, Mode::S_IRUSR | Mode::S_IWUSR) {
            Ok(object) => object,
            Err(Errno::EEXIST) => continue, // taken: someone else's, try another
            Err(e) => return Err(e.into()),
        };
        if let Err(e) = shm_unlink(name.as_str()) {
            return Err(format!("cannot unlink {name}, remove it by hand: {e}").into());
        }
        ftruncate(&object, size_of::<AtomicU64>() as i64)?;
        return Ok(object);
    }
    Err(format!("{NAME_TRIES} random names were all taken").into())
}

/// Eight bytes from the system's random number generator.
fn random_u64() -> io::Result<u64> {
    let mut bytes = [0; 8];
    File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(u64::from_ne_bytes(bytes))
}

/// Maps the object and sees the counter in it. Never unmapped: `'static`.
fn map_counter(object: impl AsFd) -> nix::Result<&'static AtomicU64> {
    let length = NonZeroUsize::new(size_of::<AtomicU64>()).expect("not zero");
    // SAFETY: a new mapping at an address the kernel picks, of an object
    // at least `length` bytes long.
    let memory = unsafe {
        mmap(
            None,
            length,
            ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
            MapFlags::MAP_SHARED,
            object,
            0,
        )
    }?;
    // SAFETY: page-aligned, zero-filled by ftruncate (a valid AtomicU64),
    // mapped for the rest of the process, and shared only through atomics.
    Ok(unsafe { memory.cast::<AtomicU64>().as_ref() })
}

/// Starts `n` workers with `start`. If one fails to start, waits for those
/// already running before returning the error, so none is left behind.
fn start_all(n: u64, start: impl Fn() -> io::Result<Child>) -> io::Result<Vec<Child>> {
    let mut workers = Vec::new();
    for _ in 0..n {
        match start() {
            Ok(child) => workers.push(child),
            Err(e) => {
                // The start error is the one to report; reaping comes first.
                let _ = wait_all(workers);
                return Err(e);
            }
        }
    }
    Ok(workers)
}

/// Waits for every worker, even after a failure, then reports the failures.
fn wait_all(workers: Vec<Child>) -> Result<(), String> {
    let mut failed = Vec::new();
    for mut child in workers {
        match child.wait() {
            Ok(status) if status.success() => {}
            other => failed.push(format!("{other:?}")),
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("workers failed: {}", failed.join(", ")))
    }
}

// ANCHOR: main
/// A worker: a fresh program that maps the object it got as its stdin.
fn worker() -> Result<(), Box<dyn Error>> {
    let counter = map_counter(io::stdin().as_fd())?;
    for _ in 0..INCREMENTS {
        counter.fetch_add(1, Ordering::Relaxed);
    }
    Ok(())
}

/// Re-executes this program as a worker, with its own descriptor for the
/// same object as its stdin.
fn start_worker(object: &OwnedFd) -> io::Result<Child> {
    Command::new(env::current_exe()?)
        .env(ROLE_VARIABLE, "1")
        .stdin(Stdio::from(object.try_clone()?))
        .spawn()
}

fn main() -> Result<(), Box<dyn Error>> {
    if env::var_os(ROLE_VARIABLE).is_some() {
        return worker();
    }
    let object = shared_object()?;
    let counter = map_counter(&object)?;
    let workers = start_all(WORKERS, || start_worker(&object))?;
    wait_all(workers)?;
    let total = counter.load(Ordering::Relaxed);
    println!("{WORKERS} re-executed workers added {INCREMENTS} each: counter = {total}");
    if total != WORKERS * INCREMENTS {
        return Err("updates were lost".into());
    }
    Ok(())
}
// ANCHOR_END: main
