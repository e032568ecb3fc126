//! The protocol: one request line in, one answer line out. No sockets here.

use std::collections::HashMap;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::process::Command;
use tokio::sync::Semaphore;
use tokio::time::timeout;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info};

use crate::config::{Config, MAX_NOTE_BYTES, MAX_PRIMES};
use crate::error::RequestError;

/// What every connection shares.
pub struct State {
    notes: Mutex<HashMap<String, String>>,
    max_notes: usize,
    cpu: Arc<Semaphore>,
    cpu_wait: Duration,
    child_deadline: Duration,
}

impl State {
    pub fn new(config: &Config) -> Self {
        State {
            notes: Mutex::default(),
            max_notes: config.max_notes.get(),
            cpu: Arc::new(Semaphore::new(config.cpu_workers.get())),
            cpu_wait: config.cpu_wait(),
            child_deadline: config.child(),
        }
    }
}

// ANCHOR: answer
/// Answers one request line, or says why it cannot.
pub async fn answer(state: &State, line: &str) -> Result<String, RequestError> {
    let mut words = line.splitn(3, ' ');
    match (words.next(), words.next(), words.next()) {
        (Some("SET"), Some(key), Some(value)) => set(state, key, value),
        (Some("GET"), Some(key), None) => {
            let notes = state.notes.lock().unwrap();
            let value = notes
                .get(key)
                .ok_or_else(|| RequestError::NoKey(key.into()));
            value.cloned()
        }
        (Some("PRIMES"), Some(n), None) => match n.parse() {
            Ok(n) if n <= MAX_PRIMES => primes(state, n).await,
            _ => Err(RequestError::BadNumber {
                given: n.into(),
                max: MAX_PRIMES,
            }),
        },
        (Some("UPPER"), Some(_), _) => {
            let text = &line["UPPER ".len()..];
            run_child(state, "tr", &["a-z", "A-Z"], Some(text)).await
        }
        // A leading '-' ("-0" parses as a number) would read as an option.
        // A sleep must end before the child's deadline, which would kill it.
        (Some("SLEEP"), Some(secs), None) => {
            let max = state.child_deadline.as_secs();
            match secs.parse::<f64>() {
                Ok(s) if (0.0..max as f64).contains(&s) && !secs.starts_with('-') => {
                    run_child(state, "sleep", &["--", secs], None).await?;
                    Ok(format!("slept {secs} s"))
                }
                _ => Err(RequestError::BadSeconds {
                    given: secs.into(),
                    max,
                }),
            }
        }
        _ => Err(RequestError::Unknown),
    }
}
// ANCHOR_END: answer

/// Stores a note. Every client shares the notes, so they are bounded in
/// number and in size: together, the clients cannot fill the memory.
fn set(state: &State, key: &str, value: &str) -> Result<String, RequestError> {
    if key.len() + value.len() > MAX_NOTE_BYTES {
        return Err(RequestError::NoteTooLong(MAX_NOTE_BYTES));
    }
    let mut notes = state.notes.lock().unwrap();
    // Replacing a note adds nothing; a new key needs a free place.
    if notes.len() >= state.max_notes && !notes.contains_key(key) {
        return Err(RequestError::NotesFull(state.max_notes));
    }
    notes.insert(key.to_owned(), value.to_owned());
    Ok("OK".to_owned())
}

/// Counts on a blocking thread, at most `cpu_workers` counts at a time.
async fn primes(state: &State, n: u64) -> Result<String, RequestError> {
    // The wait for a worker has a deadline too, like every other wait.
    let waited = timeout(state.cpu_wait, Arc::clone(&state.cpu).acquire_owned()).await;
    let Ok(permit) = waited else {
        return Err(RequestError::Busy(state.cpu_wait.as_secs()));
    };
    let permit = permit.expect("the semaphore is never closed");
    debug!("computing");
    // Dropping this future does not stop the thread: dropping the guard
    // cancels `stop`, which the count checks as it goes.
    let stop = CancellationToken::new();
    let _stop_on_drop = stop.clone().drop_guard();
    let counted = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        count_primes(n, &stop)
    })
    .await;
    let count = counted.map_err(|_panicked| RequestError::ComputationFailed)?;
    let count = count.ok_or(RequestError::ComputationFailed)?;
    Ok(format!("{count} primes below {n}"))
}

/// Counts the primes below `n`, or gives up (`None`) once `stop` is cancelled.
fn count_primes(n: u64, stop: &CancellationToken) -> Option<usize> {
    let mut count = 0;
    for k in 2..n {
        if k % 1024 == 0 && stop.is_cancelled() {
            return None;
        }
        if (2..).take_while(|d| d * d <= k).all(|d| k % d != 0) {
            count += 1;
        }
    }
    Some(count)
}

/// Runs `program` with a deadline; the child dies if this future is dropped.
async fn run_child(
    state: &State,
    program: &'static str,
    args: &[&str],
    input: Option<&str>,
) -> Result<String, RequestError> {
    let failed = |detail: String| RequestError::ChildFailed { program, detail };
    let mut command = Command::new(program);
    command
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    command.stdin(if input.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    // A group of its own: Ctrl+C at the terminal signals the terminal's
    // group, and the child must wait for the drain as the service does.
    command.process_group(0);
    let mut child = command
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| failed(e.to_string()))?;
    info!(pid = child.id(), "child started");
    let stdin = child.stdin.take();
    // Write and read at once: a child that fills its output pipe stops
    // reading, and a writer that waits for it would wait forever.
    let write = async move {
        if let (Some(input), Some(mut stdin)) = (input, stdin) {
            stdin.write_all(format!("{input}\n").as_bytes()).await?;
        } // `stdin` is dropped here: the child reads the end of its input.
        Ok::<(), std::io::Error>(())
    };
    let both = async { tokio::join!(write, child.wait_with_output()) };
    let deadline = state.child_deadline;
    let Ok((written, waited)) = timeout(deadline, both).await else {
        let secs = deadline.as_secs();
        return Err(RequestError::ChildTimeout { program, secs });
    };
    written.map_err(|e| failed(e.to_string()))?;
    let output = waited.map_err(|e| failed(e.to_string()))?;
    if !output.status.success() {
        return Err(failed(output.status.to_string()));
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .trim_end()
        .to_owned())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use clap::Parser;

    use super::*;

    fn state(args: &[&str]) -> State {
        let argv = ["service-final"].iter().chain(args);
        State::new(&Config::parse_from(argv))
    }

    #[tokio::test]
    async fn the_notes_are_bounded_in_number_and_size() {
        let state = state(&["--max-notes", "2"]);
        assert_eq!(answer(&state, "SET a 1").await.unwrap(), "OK");
        assert_eq!(answer(&state, "SET b 2").await.unwrap(), "OK");
        let full = answer(&state, "SET c 3").await.unwrap_err().to_string();
        assert_eq!(full, "the notes are full (2 notes)");
        assert_eq!(answer(&state, "SET a 4").await.unwrap(), "OK");
        assert_eq!(answer(&state, "GET a").await.unwrap(), "4");
        let long = format!("SET a {}", "x".repeat(MAX_NOTE_BYTES));
        let refused = answer(&state, &long).await.unwrap_err().to_string();
        assert_eq!(refused, "a note is at most 1024 bytes, key and value");
    }

    /// The clock is paused: tokio moves it on when every task waits, so the
    /// deadline passes at once, and a wait with no deadline never ends.
    #[tokio::test(start_paused = true)]
    async fn a_count_that_waits_too_long_for_a_worker_is_refused() {
        let state = state(&["--cpu-workers", "1", "--cpu-wait-secs", "3"]);
        let _taken = Arc::clone(&state.cpu).acquire_owned().await.unwrap();
        let hour = Duration::from_secs(3600);
        let answered = timeout(hour, answer(&state, "PRIMES 10")).await;
        let refused = answered.expect("the wait has a deadline").unwrap_err();
        let expected = "no CPU worker was free for 3 s; try again later";
        assert_eq!(refused.to_string(), expected);
    }
}
