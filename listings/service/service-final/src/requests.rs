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

use crate::config::{Config, MAX_PRIMES};
use crate::error::RequestError;

/// What every connection shares.
pub struct State {
    notes: Mutex<HashMap<String, String>>,
    cpu: Arc<Semaphore>,
    child_deadline: Duration,
}

impl State {
    pub fn new(config: &Config) -> Self {
        State {
            notes: Mutex::default(),
            cpu: Arc::new(Semaphore::new(config.cpu_workers.get())),
            child_deadline: config.child(),
        }
    }
}

// ANCHOR: answer
/// Answers one request line, or says why it cannot.
pub async fn answer(state: &State, line: &str) -> Result<String, RequestError> {
    let mut words = line.splitn(3, ' ');
    match (words.next(), words.next(), words.next()) {
        (Some("SET"), Some(key), Some(value)) => {
            let mut notes = state.notes.lock().unwrap();
            notes.insert(key.to_owned(), value.to_owned());
            Ok("OK".to_owned())
        }
        (Some("GET"), Some(key), None) => {
            let notes = state.notes.lock().unwrap();
            let value = notes
                .get(key)
                .ok_or_else(|| RequestError::NoKey(key.into()));
            value.cloned()
        }
        (Some("PRIMES"), Some(n), None) => match n.parse() {
            Ok(n) if n <= MAX_PRIMES => primes(state, n).await,
            _ => Err(RequestError::BadNumber(n.into())),
        },
        (Some("UPPER"), Some(_), _) => {
            let text = &line["UPPER ".len()..];
            run_child(state, "tr", &["a-z", "A-Z"], Some(text)).await
        }
        // A leading '-' ("-0" parses as a number) would read as an option.
        (Some("SLEEP"), Some(secs), None) => match secs.parse::<f64>() {
            Ok(s) if (0.0..=60.0).contains(&s) && !secs.starts_with('-') => {
                run_child(state, "sleep", &["--", secs], None).await?;
                Ok(format!("slept {secs} s"))
            }
            _ => Err(RequestError::BadNumber(secs.into())),
        },
        _ => Err(RequestError::Unknown),
    }
}
// ANCHOR_END: answer

/// Counts on a blocking thread, at most `cpu_workers` counts at a time.
async fn primes(state: &State, n: u64) -> Result<String, RequestError> {
    let permit = Arc::clone(&state.cpu).acquire_owned().await;
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
