//! Connections: accept, read requests, answer, shut down.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;
use tokio_util::codec::{Framed, LinesCodec, LinesCodecError};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::{Instrument, info, info_span, warn};

use crate::config::{Config, WRITE_TIMEOUT};
use crate::error::{ConnectionError, RequestError};
use crate::requests::{State, answer};

type Lines = Framed<TcpStream, LinesCodec>;

/// Finish the request in progress (`stop`), or drop it now (`abort`).
#[derive(Clone, Default)]
pub struct Shutdown {
    pub stop: CancellationToken,
    pub abort: CancellationToken,
}

// ANCHOR: run
/// Serves until `stop_signal` ends, then drains: requests in progress get
/// `config.drain()` to finish, and the rest are dropped.
pub async fn run(listener: TcpListener, config: &Config, stop_signal: impl Future<Output = ()>) {
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
    if timeout(config.drain(), tracker.wait()).await.is_err() {
        warn!(busy = tracker.len(), "drain deadline passed: aborting");
        shutdown.abort.cancel();
        tracker.wait().await;
    }
    info!("stopped");
}
// ANCHOR_END: run

async fn accept_loop(
    listener: TcpListener,
    state: Arc<State>,
    config: Config,
    shutdown: Shutdown,
    tracker: TaskTracker,
) {
    static NEXT_ID: AtomicU64 = AtomicU64::new(1);
    loop {
        let accepted = tokio::select! {
            _ = shutdown.stop.cancelled() => return,
            accepted = listener.accept() => accepted,
        };
        let (socket, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                warn!(%error, "accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        // ANCHOR: span
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let span = info_span!("connection", id, %peer);
        let (state, config, shutdown) = (Arc::clone(&state), config.clone(), shutdown.clone());
        let connection = async move {
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

// ANCHOR: handle
async fn handle(
    socket: TcpStream,
    state: &State,
    config: &Config,
    shutdown: &Shutdown,
) -> Result<(), ConnectionError> {
    let mut lines = Framed::new(socket, LinesCodec::new_with_max_length(config.max_line));
    loop {
        let next = tokio::select! {
            _ = shutdown.stop.cancelled() => {
                return reply(&mut lines, "error: the server is shutting down").await;
            }
            next = timeout(config.idle(), lines.next()) => next,
        };
        let line = match next {
            Err(_elapsed) => {
                return goodbye(&mut lines, ConnectionError::Idle(config.idle_secs)).await;
            }
            Ok(None) => return Ok(()),
            Ok(Some(Ok(line))) => line,
            Ok(Some(Err(LinesCodecError::MaxLineLengthExceeded))) => {
                return goodbye(&mut lines, ConnectionError::LineTooLong(config.max_line)).await;
            }
            Ok(Some(Err(LinesCodecError::Io(error)))) => return Err(error.into()),
        };
        let work = answer(state, &line).instrument(info_span!("request", %line));
        let Some(answered) = unless_client_leaves(&mut lines, work, &shutdown.abort).await? else {
            info!(%line, "request dropped");
            return Ok(());
        };
        let text = match answered {
            Ok(text) => text,
            Err(error) => format!("error: {error}"),
        };
        info!(%line, answer = %text, "answered");
        reply(&mut lines, &text).await?;
    }
}
// ANCHOR_END: handle

/// Tells the client why the connection ends, then ends it with that error.
async fn goodbye(lines: &mut Lines, error: ConnectionError) -> Result<(), ConnectionError> {
    reply(lines, &format!("error: {error}")).await?;
    Err(error)
}

/// Awaits `work`, unless the client leaves or `abort` is cancelled first:
/// then `work` is dropped, and any child it started is killed.
async fn unless_client_leaves<T>(
    lines: &mut Lines,
    work: impl Future<Output = Result<T, RequestError>>,
    abort: &CancellationToken,
) -> Result<Option<Result<T, RequestError>>, ConnectionError> {
    tokio::pin!(work);
    loop {
        tokio::select! {
            answered = &mut work => return Ok(Some(answered)),
            _ = abort.cancelled() => return Ok(None),
            next = lines.next() => match next {
                Some(Ok(_)) => reply(lines, &format!("error: {}", RequestError::Busy)).await?,
                None | Some(Err(_)) => return Ok(None),
            },
        }
    }
}

async fn reply(lines: &mut Lines, text: &str) -> Result<(), ConnectionError> {
    match timeout(WRITE_TIMEOUT, lines.send(text)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(LinesCodecError::Io(error))) => Err(error.into()),
        Ok(Err(LinesCodecError::MaxLineLengthExceeded)) => unreachable!("encoding has no limit"),
        Err(_elapsed) => Err(ConnectionError::SlowReader),
    }
}
