//! The service's settings: from the command line, else from the
//! environment, else a default that works on a laptop.

use std::net::SocketAddr;
use std::num::NonZeroUsize;
use std::time::Duration;

use clap::builder::RangedU64ValueParser;
use clap::{Parser, value_parser};

/// The longest limit in seconds: a day. A larger one is more likely a typo
/// than a wish, and clap's refusal then names a range a reader can read.
const MAX_SECS: u64 = 24 * 60 * 60;

// ANCHOR: config
/// A line-protocol service: notes, prime counts and child processes.
#[derive(Parser, Debug, Clone)]
#[command(name = "service-final")]
pub struct Config {
    /// The address to listen on (port 0: any free port)
    #[arg(
        long,
        env = "SERVICE_ADDR",
        default_value = "127.0.0.1:7878",
        value_name = "IP:PORT"
    )]
    pub addr: SocketAddr,
    /// How many PRIMES requests may compute at once
    #[arg(
        long,
        env = "SERVICE_CPU_WORKERS",
        default_value = "2",
        value_name = "N"
    )]
    pub cpu_workers: NonZeroUsize,
    /// Seconds a client gets to send each whole request line
    #[arg(
        long,
        env = "SERVICE_IDLE_SECS",
        default_value_t = 30,
        value_name = "SECS",
        value_parser = value_parser!(u64).range(1..=MAX_SECS)
    )]
    pub idle_secs: u64,
    // ANCHOR_END: config
    /// How many clients may be connected at once
    #[arg(
        long,
        env = "SERVICE_MAX_CLIENTS",
        default_value = "100",
        value_name = "N"
    )]
    pub max_clients: NonZeroUsize,
    /// The longest request line, in bytes (at most 1 MiB)
    #[arg(
        long,
        env = "SERVICE_MAX_LINE",
        default_value_t = 256,
        value_name = "BYTES",
        value_parser = RangedU64ValueParser::<usize>::new().range(1..=1 << 20)
    )]
    pub max_line: usize,
    /// How many notes the service keeps at most
    #[arg(
        long,
        env = "SERVICE_MAX_NOTES",
        default_value = "10000",
        value_name = "N"
    )]
    pub max_notes: NonZeroUsize,
    /// Seconds a PRIMES request may wait for a free CPU worker
    #[arg(
        long,
        env = "SERVICE_CPU_WAIT_SECS",
        default_value_t = 10,
        value_name = "SECS",
        value_parser = value_parser!(u64).range(1..=MAX_SECS)
    )]
    pub cpu_wait_secs: u64,
    /// Seconds a child process may run; a SLEEP must be shorter
    #[arg(
        long,
        env = "SERVICE_CHILD_SECS",
        default_value_t = 10,
        value_name = "SECS",
        value_parser = value_parser!(u64).range(1..=MAX_SECS)
    )]
    pub child_secs: u64,
    /// Seconds requests in progress get to finish at shutdown (0: none)
    #[arg(
        long,
        env = "SERVICE_DRAIN_SECS",
        default_value_t = 5,
        value_name = "SECS"
    )]
    pub drain_secs: u64,
}

impl Config {
    pub fn idle(&self) -> Duration {
        Duration::from_secs(self.idle_secs)
    }
    pub fn child(&self) -> Duration {
        Duration::from_secs(self.child_secs)
    }
    pub fn cpu_wait(&self) -> Duration {
        Duration::from_secs(self.cpu_wait_secs)
    }
    pub fn drain(&self) -> Duration {
        Duration::from_secs(self.drain_secs)
    }
}

/// The largest n of `PRIMES n`: seconds of work, up to tens of seconds in
/// a debug build on a busy machine.
pub const MAX_PRIMES: u64 = 2_000_000;
/// The most bytes one note holds, its key and value together.
pub const MAX_NOTE_BYTES: usize = 1024;
/// How long the client gets to take one answer.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a client cut off by the abort gets to take its last line.
pub const LAST_LINE_TIMEOUT: Duration = Duration::from_millis(100);
