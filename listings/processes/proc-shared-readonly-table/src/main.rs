//! Linux only: memfd_create(2) and file seals are Linux's.

#[cfg(target_os = "linux")]
use {
    nix::fcntl::{FcntlArg, SealFlag, fcntl},
    nix::sys::memfd::{MFdFlags, memfd_create},
    nix::sys::mman::{MapFlags, ProtFlags, mmap},
    nix::sys::stat::fstat,
    std::env,
    std::error::Error,
    std::fs::File,
    std::io::{self, Write},
    std::num::NonZeroUsize,
    std::os::fd::{AsFd, OwnedFd},
    std::process::{Child, Command, ExitStatus, Stdio},
    std::slice,
};

/// A worker's role, and its range: "start end".
#[cfg(target_os = "linux")]
const ROLE_VARIABLE: &str = "TABLE_WORKER_RANGE";
/// The table says, for each number below `LIMIT`, whether it is prime.
#[cfg(target_os = "linux")]
const LIMIT: usize = 1 << 20;
#[cfg(target_os = "linux")]
const WORKERS: usize = 2;
/// The number of primes below 2^20, to check the workers' answers.
#[cfg(target_os = "linux")]
const PRIMES_BELOW_LIMIT: usize = 82_025;

/// One byte per number below `limit`: 1 for a prime, 0 otherwise.
#[cfg(target_os = "linux")]
fn prime_table(limit: usize) -> Vec<u8> {
    let mut table = vec![1; limit];
    table[..2.min(limit)].fill(0);
    let mut n = 2;
    while n * n < limit {
        if table[n] == 1 {
            (n * n..limit).step_by(n).for_each(|m| table[m] = 0);
        }
        n += 1;
    }
    table
}

#[cfg(target_os = "linux")]
// ANCHOR: share
/// Writes the table into a memory file, which has no path, then seals it:
/// from now on no process can write to it, shrink it or grow it.
fn share(table: &[u8]) -> Result<OwnedFd, Box<dyn Error>> {
    let flags = MFdFlags::MFD_CLOEXEC | MFdFlags::MFD_ALLOW_SEALING;
    let memory = memfd_create(c"prime-table", flags)?;
    let mut file = File::from(memory);
    file.write_all(table)?;
    let seals = SealFlag::F_SEAL_WRITE
        | SealFlag::F_SEAL_SHRINK
        | SealFlag::F_SEAL_GROW
        | SealFlag::F_SEAL_SEAL;
    fcntl(&file, FcntlArg::F_ADD_SEALS(seals))?;
    Ok(file.into())
}

// ANCHOR_END: share
#[cfg(target_os = "linux")]
// ANCHOR: share
/// Maps the whole memory file, read-only, for the rest of the process, if
/// it is sealed against writes and shrinking.
fn map_table(memory: impl AsFd) -> Result<&'static [u8], Box<dyn Error>> {
    // Fails with EINVAL if the file is not one that can be sealed.
    let seals = SealFlag::from_bits_truncate(fcntl(&memory, FcntlArg::F_GET_SEALS)?);
    if !seals.contains(SealFlag::F_SEAL_WRITE | SealFlag::F_SEAL_SHRINK) {
        return Err("the table is not sealed against writes and shrinking".into());
    }
    let len = usize::try_from(fstat(&memory)?.st_size)?;
    let length = NonZeroUsize::new(len).ok_or("the table is empty")?;
    // SAFETY: a new mapping, at an address the kernel picks.
    let start = unsafe {
        mmap(
            None,
            length,
            ProtFlags::PROT_READ,
            MapFlags::MAP_SHARED,
            memory,
            0,
        )
    }?;
    // SAFETY: `len` bytes, mapped until the process ends. We checked the
    // seals before reading `len`, and a seal is never removed, so no
    // process can write to these bytes or cut the file below `len`.
    Ok(unsafe { slice::from_raw_parts(start.as_ptr().cast::<u8>(), len) })
}
// ANCHOR_END: share

/// Starts one worker per start of a range, with `start_one`. If one fails
/// to start, reaps those already running before returning the error.
#[cfg(target_os = "linux")]
fn start_all(
    starts: impl Iterator<Item = usize>,
    start_one: impl Fn(usize) -> io::Result<Child>,
) -> io::Result<Vec<(usize, Child)>> {
    let mut workers = Vec::new();
    for start in starts {
        match start_one(start) {
            Ok(child) => workers.push((start, child)),
            Err(e) => {
                // Their one-line answers fit in the pipe: waiting is enough.
                for (_, mut child) in workers {
                    let _ = child.wait();
                }
                return Err(e);
            }
        }
    }
    Ok(workers)
}

#[cfg(target_os = "linux")]
// ANCHOR: main
/// A worker: looks its range up in the table it got as its stdin.
fn worker(start: usize, end: usize) -> Result<(), Box<dyn Error>> {
    let table = map_table(io::stdin())?;
    let part = table.get(start..end).ok_or("range outside the table")?;
    println!("{}", part.iter().filter(|&&is_prime| is_prime == 1).count());
    Ok(())
}

// ANCHOR_END: main
#[cfg(target_os = "linux")]
// ANCHOR: main
/// Re-executes this program as the worker for `start..end`, with its own
/// descriptor for the table as its stdin, and a pipe for its answer.
fn start_worker(memory: &OwnedFd, start: usize, end: usize) -> io::Result<Child> {
    Command::new(env::current_exe()?)
        .env(ROLE_VARIABLE, format!("{start} {end}"))
        .stdin(Stdio::from(memory.try_clone()?))
        .stdout(Stdio::piped())
        .spawn()
}

#[cfg(target_os = "linux")]
fn main() -> Result<(), Box<dyn Error>> {
    if let Ok(range) = env::var(ROLE_VARIABLE) {
        let (start, end) = parse_range(&range)?;
        return worker(start, end);
    }
    let memory = share(&prime_table(LIMIT))?; // the parent's Vec is gone now
    println!("table of {LIMIT} bytes, written once, sealed");
    let part = LIMIT / WORKERS;
    // `start_all`, out of view, reaps the started workers if one fails.
    let starts = (0..LIMIT).step_by(part);
    let workers = start_all(starts, |start| start_worker(&memory, start, start + part))?;
    let mut counts = Vec::new();
    for (start, child) in workers {
        let output = child.wait_with_output()?;
        let answer = String::from_utf8_lossy(&output.stdout).trim().to_string();
        println!("worker for {start}..{}: {answer} primes", start + part);
        counts.push((output.status, answer));
    }
    check(&counts)
}
// ANCHOR_END: main

/// A worker's range, from the text "start end".
#[cfg(target_os = "linux")]
fn parse_range(text: &str) -> Result<(usize, usize), Box<dyn Error>> {
    let (start, end) = text.split_once(' ').ok_or("a range is \"start end\"")?;
    Ok((start.parse()?, end.parse()?))
}

/// Every worker succeeded, and their counts add up to the known number of
/// primes below `LIMIT`.
#[cfg(target_os = "linux")]
fn check(counts: &[(ExitStatus, String)]) -> Result<(), Box<dyn Error>> {
    let mut total = 0;
    for (status, answer) in counts {
        if !status.success() {
            return Err(format!("a worker failed: {status}").into());
        }
        total += answer.parse::<usize>()?;
    }
    if total != PRIMES_BELOW_LIMIT || counts.len() != WORKERS {
        return Err(format!("the workers found {total} primes, not {PRIMES_BELOW_LIMIT}").into());
    }
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn main() {
    println!("proc-shared-readonly-table runs on Linux only: it calls memfd_create(2)");
}
