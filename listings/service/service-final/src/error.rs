//! What can go wrong, as types. A request's error is sent to the client as
//! `error: <message>` and the connection goes on; a connection's error
//! ends the connection and is logged.

use std::io;

// ANCHOR: errors
/// A request that cannot be answered. The message is what the client reads.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error("unknown request (try SET, GET, PRIMES, UPPER or SLEEP)")]
    Unknown,
    #[error("no key {0}")]
    NoKey(String),
    #[error("{given} is not a number from 0 to {max}")]
    BadNumber { given: String, max: u64 },
    #[error("{given} is not a number of seconds below {max}")]
    BadSeconds { given: String, max: u64 },
    #[error("the notes are full ({0} notes)")]
    NotesFull(usize),
    #[error("a note is at most {0} bytes, key and value")]
    NoteTooLong(usize),
    #[error("no CPU worker was free for {0} s; try again later")]
    Busy(u64),
    #[error("{program} took longer than {secs} s and was killed")]
    ChildTimeout { program: &'static str, secs: u64 },
    #[error("{program} failed: {detail}")]
    ChildFailed {
        program: &'static str,
        detail: String,
    },
    #[error("the computation failed")]
    ComputationFailed,
}

/// Why a connection ended early. The client may read a last line first.
#[derive(Debug, thiserror::Error)]
pub enum ConnectionError {
    #[error("idle for {0} s")]
    Idle(u64),
    #[error("line longer than {0} bytes")]
    LineTooLong(usize),
    #[error("the line is not UTF-8")]
    NotUtf8,
    #[error("the client stopped reading")]
    SlowReader,
    #[error("the server stopped before the answer was sent")]
    Aborted,
    #[error(transparent)]
    Io(#[from] io::Error),
}
// ANCHOR_END: errors
