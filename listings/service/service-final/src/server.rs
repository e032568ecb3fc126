//! Connections: accept, read requests, answer, shut down.

use std::collections::VecDeque;
use std::io::ErrorKind::InvalidData;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::error::Elapsed;
use tokio::time::timeout;
use tokio_util::codec::{Framed, LinesCodec, LinesCodecError};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::{Instrument, info, info_span, warn};

use crate::config::{Config, LAST_LINE_TIMEOUT, WRITE_TIMEOUT};
use crate::error::{ConnectionError, RequestError};
use crate::requests::{State, answer};

type Lines = Framed<TcpStream, LinesCodec>;
/// A line read ahead while a request runs, answered once its turn comes.
type Queued = VecDeque<Result<String, LinesCodecError>>;

/// How many lines a client may send ahead of its answers (pipelining).
const MAX_QUEUED: usize = 16;

/// Finish the request in progress (`stop`), or drop it now (`abort`).
#[derive(Clone, Default)]
pub struct Shutdown {
    pub stop: CancellationToken,
    pub abort: CancellationToken,
}

/// Serves until `stop_signal` ends, then drains: requests in progress get
/// `config.drain()` to finish, unless `hurry` ends first, and the rest are
/// dropped.
pub async fn run(
    listener: TcpListener,
    config: &Config,
    stop_signal: impl Future<Output = ()>,
    hurry: impl Future<Output = ()>,
) {
    let state = Arc::new(State::new(config));
    let (shutdown, tracker) = (Shutdown::default(), TaskTracker::new());
    let accept = accept_loop(
        listener,
        state,
        config.clone(),
        shutdown.clone(),
        tracker.clone(),
    );
    let accept = tokio::spawn(accept);
    stop_signal.await;
    info!(open = tracker.len(), "shutting down");
    shutdown.stop.cancel();
    let _ = accept.await;
    tracker.close();
    let cut_short = tokio::select! {
        drained = timeout(config.drain(), tracker.wait()) => drained.err().map(|_| "deadline"),
        () = hurry => Some("second signal"),
    };
    if let Some(why) = cut_short {
        warn!(busy = tracker.len(), why, "drain cut short: aborting");
        shutdown.abort.cancel();
        tracker.wait().await;
    }
    info!("stopped");
}

async fn accept_loop(
    listener: TcpListener,
    state: Arc<State>,
    config: Config,
    shutdown: Shutdown,
    tracker: TaskTracker,
) {
    // Connections are numbered from 1 in each run of the server.
    let mut next_id: u64 = 1;
    // One permit per connection: past the limit, new clients wait in the
    // listen queue until one leaves, and open files stay bounded.
    let clients = Arc::new(Semaphore::new(config.max_clients.get()));
    loop {
        let accepted = tokio::select! {
            biased;
            _ = shutdown.stop.cancelled() => return,
            accepted = accept(&listener, &clients) => accepted,
        };
        let (socket, peer, permit) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                // Often out of open files: pause, and let connections end.
                warn!(%error, "accept failed");
                let pause = tokio::time::sleep(Duration::from_millis(100));
                tokio::select! {
                    _ = shutdown.stop.cancelled() => return,
                    _ = pause => continue,
                }
            }
        };
        // ANCHOR: span
        let id = next_id;
        next_id += 1;
        let span = info_span!("connection", id, %peer);
        let (state, config, shutdown) = (Arc::clone(&state), config.clone(), shutdown.clone());
        let connection = async move {
            let _permit = permit;
            info!("open");
            match handle(socket, &state, &config, &shutdown).await {
                Ok(()) => info!("closed"),
                Err(error) => info!(%error, "closed early"),
            }
        };
        tracker.spawn(connection.instrument(span));
        // ANCHOR_END: span
    }
}

/// Waits for a free place, then for a client.
async fn accept(
    listener: &TcpListener,
    clients: &Arc<Semaphore>,
) -> std::io::Result<(TcpStream, SocketAddr, OwnedSemaphorePermit)> {
    let permit = Arc::clone(clients).acquire_owned().await;
    let permit = permit.expect("the semaphore is never closed");
    let (socket, peer) = listener.accept().await?;
    Ok((socket, peer, permit))
}

async fn handle(
    socket: TcpStream,
    state: &State,
    config: &Config,
    shutdown: &Shutdown,
) -> Result<(), ConnectionError> {
    let mut lines = Framed::new(socket, LinesCodec::new_with_max_length(config.max_line));
    let mut queued = Queued::new();
    loop {
        // Before each request, read now or sent ahead, `stop` is looked at
        // first: once the shutdown began, no new request starts.
        let next = tokio::select! {
            biased;
            _ = shutdown.stop.cancelled() => {
                let bye = "error: the server is shutting down";
                return reply(&mut lines, bye, &shutdown.abort).await;
            }
            next = next_line(&mut lines, &mut queued, config.idle()) => next,
        };
        let line = match next {
            Err(_elapsed) => {
                let error = ConnectionError::Idle(config.idle_secs);
                return goodbye(&mut lines, error, &shutdown.abort).await;
            }
            Ok(None) => return Ok(()),
            Ok(Some(Ok(line))) => line,
            Ok(Some(Err(LinesCodecError::MaxLineLengthExceeded))) => {
                let error = ConnectionError::LineTooLong(config.max_line);
                return goodbye(&mut lines, error, &shutdown.abort).await;
            }
            // LinesCodec reports a line that is not UTF-8 as InvalidData.
            Ok(Some(Err(LinesCodecError::Io(error)))) if error.kind() == InvalidData => {
                return goodbye(&mut lines, ConnectionError::NotUtf8, &shutdown.abort).await;
            }
            Ok(Some(Err(LinesCodecError::Io(error)))) => return Err(error.into()),
        };
        // `?shown` records with Debug: a control character a client sent
        // is escaped, not written raw to the operator's terminal.
        let shown = without_value(&line);
        let work = answer(state, &line).instrument(info_span!("request", line = ?shown));
        let abort = &shutdown.abort;
        let Some(answered) = unless_client_leaves(&mut lines, &mut queued, work, abort).await?
        else {
            info!(line = ?shown, "request dropped");
            if abort.is_cancelled() {
                // The client may still be there: tell it why, if the line
                // goes out at once. The abort waits for nothing longer.
                let why = format!("error: {}", ConnectionError::Aborted);
                let _ = timeout(LAST_LINE_TIMEOUT, lines.send(why)).await;
            }
            return Ok(());
        };
        info!(line = ?shown, failed = answered.is_err(), "answered");
        let text = match answered {
            Ok(text) => text,
            Err(error) => format!("error: {error}"),
        };
        reply(&mut lines, &text, abort).await?;
    }
}

/// The next request: a line the client sent ahead, else one read within
/// `idle`.
async fn next_line(
    lines: &mut Lines,
    queued: &mut Queued,
    idle: Duration,
) -> Result<Option<Result<String, LinesCodecError>>, Elapsed> {
    match queued.pop_front() {
        Some(line) => Ok(Some(line)),
        None => timeout(idle, lines.next()).await,
    }
}

/// A request as the log shows it: a `SET` without its value, which may be
/// a secret, and logs are read by more people than the notes.
fn without_value(line: &str) -> &str {
    match line.strip_prefix("SET ") {
        Some(rest) => &line[..line.len() - rest.len() + rest.find(' ').unwrap_or(rest.len())],
        None => line,
    }
}

/// Tells the client why the connection ends, then ends it with that error.
async fn goodbye(
    lines: &mut Lines,
    error: ConnectionError,
    abort: &CancellationToken,
) -> Result<(), ConnectionError> {
    reply(lines, &format!("error: {error}"), abort).await?;
    Err(error)
}

/// Awaits `work`, unless the client leaves or `abort` is cancelled first:
/// then `work` is dropped, and any child it started is killed. Lines the
/// client sends meanwhile wait in `queued`, up to `MAX_QUEUED` of them.
async fn unless_client_leaves<T>(
    lines: &mut Lines,
    queued: &mut Queued,
    work: impl Future<Output = Result<T, RequestError>>,
    abort: &CancellationToken,
) -> Result<Option<Result<T, RequestError>>, ConnectionError> {
    tokio::pin!(work);
    loop {
        // A full queue, or a line too long at its end, stops the reading.
        let room = queued.len() < MAX_QUEUED && queued.back().is_none_or(Result::is_ok);
        tokio::select! {
            biased;
            _ = abort.cancelled() => return Ok(None),
            answered = &mut work => return Ok(Some(answered)),
            next = lines.next(), if room => match next {
                Some(Err(LinesCodecError::Io(e))) if e.kind() != InvalidData => return Ok(None),
                None => return Ok(None),
                Some(line) => queued.push_back(line),
            },
        }
    }
}

/// Sends one line, unless the client stops reading or `abort` is cancelled.
async fn reply(
    lines: &mut Lines,
    text: &str,
    abort: &CancellationToken,
) -> Result<(), ConnectionError> {
    let sent = tokio::select! {
        _ = abort.cancelled() => return Err(ConnectionError::Aborted),
        sent = timeout(WRITE_TIMEOUT, lines.send(text)) => sent,
    };
    match sent {
        Ok(Ok(())) => Ok(()),
        Ok(Err(LinesCodecError::Io(error))) => Err(error.into()),
        Ok(Err(LinesCodecError::MaxLineLengthExceeded)) => unreachable!("encoding has no limit"),
        Err(_elapsed) => Err(ConnectionError::SlowReader),
    }
}
