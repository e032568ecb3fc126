//! Linux only: macOS has no robust mutexes (pthread_mutexattr_setrobust).

#[cfg(target_os = "linux")]
use {
    nix::sys::mman::{MapFlags, ProtFlags, mmap_anonymous},
    nix::sys::signal::{Signal, raise},
    nix::sys::wait::{WaitStatus, waitpid},
    nix::unistd::{ForkResult, fork},
    std::error::Error,
    std::mem::{MaybeUninit, size_of},
    std::num::NonZeroUsize,
    std::ptr::NonNull,
};

#[cfg(target_os = "linux")]
// ANCHOR: shared
/// What the processes share: two locks and the data they guard.
#[repr(C)]
struct Shared {
    plain: libc::pthread_mutex_t,
    robust: libc::pthread_mutex_t,
    balance: u64,
}

// ANCHOR_END: shared
#[cfg(target_os = "linux")]
// ANCHOR: shared
/// Turns a pthread return value (0 or an error number) into a Result.
fn check(code: libc::c_int, what: &str) -> Result<(), String> {
    match code {
        0 => Ok(()),
        e => Err(format!("{what}: {}", std::io::Error::from_raw_os_error(e))),
    }
}

// ANCHOR_END: shared
#[cfg(target_os = "linux")]
// ANCHOR: shared
/// Initialises a mutex that processes can share, robust or not.
///
/// # Safety
/// `mutex` points to writable memory shared with the other processes, and
/// no process uses that mutex yet.
unsafe fn init_shared_mutex(mutex: *mut libc::pthread_mutex_t, robust: bool) -> Result<(), String> {
    let mut attr = MaybeUninit::<libc::pthread_mutexattr_t>::uninit();
    // SAFETY: each call gets a valid pointer, and `attr` is initialised by
    // the first call before the others read it.
    unsafe {
        check(libc::pthread_mutexattr_init(attr.as_mut_ptr()), "attr init")?;
        let attr = attr.as_mut_ptr();
        let shared = libc::PTHREAD_PROCESS_SHARED;
        check(
            libc::pthread_mutexattr_setpshared(attr, shared),
            "setpshared",
        )?;
        if robust {
            let robust = libc::PTHREAD_MUTEX_ROBUST;
            check(libc::pthread_mutexattr_setrobust(attr, robust), "setrobust")?;
        }
        check(libc::pthread_mutex_init(mutex, attr), "mutex init")?;
        check(libc::pthread_mutexattr_destroy(attr), "attr destroy")
    }
}
// ANCHOR_END: shared

/// Tries to lock `mutex` for 200 ms; returns the error number (0 if locked).
///
/// # Safety
/// `mutex` points to an initialised mutex.
#[cfg(target_os = "linux")]
unsafe fn lock_within_200ms(mutex: *mut libc::pthread_mutex_t) -> libc::c_int {
    let mut deadline = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: valid pointers; the mutex is initialised (caller's promise).
    unsafe {
        libc::clock_gettime(libc::CLOCK_REALTIME, &mut deadline);
        deadline.tv_nsec += 200_000_000;
        if deadline.tv_nsec >= 1_000_000_000 {
            deadline.tv_sec += 1;
            deadline.tv_nsec -= 1_000_000_000;
        }
        libc::pthread_mutex_timedlock(mutex, &deadline)
    }
}

// ANCHOR: main
#[cfg(target_os = "linux")]
fn main() -> Result<(), Box<dyn Error>> {
    let length = NonZeroUsize::new(size_of::<Shared>()).expect("not zero");
    // SAFETY: a new shared anonymous mapping at an address the kernel picks.
    let memory: NonNull<Shared> = unsafe {
        mmap_anonymous(
            None,
            length,
            ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
            MapFlags::MAP_SHARED,
        )
    }?
    .cast();
    let shared = memory.as_ptr();
    // SAFETY: fresh shared memory, not used by anyone yet; it stays mapped
    // (never unmapped) in this process and the child.
    let (plain, robust) = unsafe {
        let plain = &raw mut (*shared).plain;
        let robust = &raw mut (*shared).robust;
        init_shared_mutex(plain, false)?;
        init_shared_mutex(robust, true)?;
        (plain, robust)
    };

    // SAFETY: this program starts no threads: it is single-threaded.
    match unsafe { fork() }? {
        ForkResult::Child => {
            // SAFETY: both mutexes are initialised; the child is their only user.
            unsafe {
                libc::pthread_mutex_lock(plain);
                libc::pthread_mutex_lock(robust);
                (*shared).balance += 100; // half of an update...
            }
            // ...and the holder crashes before finishing it or unlocking.
            let _ = raise(Signal::SIGKILL);
            unreachable!("SIGKILL cannot be caught");
        }
        ForkResult::Parent { child } => match waitpid(child, None)? {
            WaitStatus::Signaled(_, signal, _) => {
                println!("the holder of both locks was killed by {signal}")
            }
            other => return Err(format!("unexpected: {other:?}").into()),
        },
    }
    // ANCHOR_END: main

    // ANCHOR: recover
    // SAFETY (for the blocks below): the mutexes are initialised and stay
    // mapped; the child is gone, so this process is their only user.
    match unsafe { lock_within_200ms(plain) } {
        libc::ETIMEDOUT => println!("plain mutex: still locked after 200 ms, and for ever"),
        other => return Err(format!("the plain mutex gave {other}, not ETIMEDOUT").into()),
    }
    match unsafe { libc::pthread_mutex_lock(robust) } {
        libc::EOWNERDEAD => {
            println!("robust mutex: locked, with EOWNERDEAD: its holder died holding it");
            // We own it now. Repair the data, then declare the state consistent.
            let balance = unsafe { &raw mut (*shared).balance };
            unsafe {
                println!("repairing the half-done update: balance {} -> 0", *balance);
                *balance = 0;
                check(libc::pthread_mutex_consistent(robust), "consistent")?;
                check(libc::pthread_mutex_unlock(robust), "unlock")?;
            }
        }
        other => return Err(format!("the robust mutex gave {other}, not EOWNERDEAD").into()),
    }
    unsafe {
        check(libc::pthread_mutex_lock(robust), "lock again")?;
        println!("robust mutex: locked again normally");
        check(libc::pthread_mutex_unlock(robust), "unlock")?;
        check(libc::pthread_mutex_destroy(robust), "destroy")?;
    }
    Ok(())
}
// ANCHOR_END: recover

#[cfg(not(target_os = "linux"))]
fn main() {
    println!("proc-robust-mutex runs on Linux only: macOS has no robust mutexes");
}
