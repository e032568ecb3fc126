//! The program: configuration, logs, the listener, the signals.

// ANCHOR: main
use anyhow::Context;
use clap::Parser;
use tokio::net::TcpListener;
use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio_util::sync::CancellationToken;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::util::SubscriberInitExt;

use crate::config::Config;
use crate::server;

/// Reads the configuration, serves until Ctrl+C, SIGTERM or SIGHUP, then
/// drains; a second signal aborts what is left.
#[tokio::main]
pub async fn main() -> anyhow::Result<()> {
    let config = Config::try_parse().unwrap_or_else(|error| refuse(error));
    // Logs go to stderr; stdout is for what the user must read. RUST_LOG
    // chooses what is logged (RUST_LOG=debug shows more); info by default.
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    logger(filter, std::io::stderr).init();
    // The signals are registered before the service binds, so that none
    // can kill it between "listening" and the first wait. SIGHUP comes when
    // the terminal is closed.
    let interrupt = signal(SignalKind::interrupt()).context("listening for SIGINT")?;
    let terminate = signal(SignalKind::terminate()).context("listening for SIGTERM")?;
    let hangup = signal(SignalKind::hangup()).context("listening for SIGHUP")?;
    let listener = TcpListener::bind(config.addr)
        .await
        .with_context(|| format!("cannot listen on {}", config.addr))?;
    let addr = listener.local_addr()?;
    println!("listening on {addr}");
    println!("talk to it: nc {} {}", addr.ip(), addr.port());
    println!("stop it: Ctrl+C, or kill {}", std::process::id());
    let (stop, hurry) = stop_signals(interrupt, terminate, hangup);
    server::run(listener, &config, stop, hurry).await;
    Ok(())
}
// ANCHOR_END: main

// ANCHOR: logger
/// One line per event, prefixed by its spans. Plain text, with no colour
/// codes, since a service's log usually ends up in a file or a journal.
pub fn logger<W>(filter: EnvFilter, writer: W) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        // A line that cannot be written, once the terminal is closed, is
        // lost; by default the logger would report it with a panic.
        .log_internal_errors(false)
        .finish()
}
// ANCHOR_END: logger

// ANCHOR: signals
/// Two futures: the first ends at the first of the signals, which starts
/// the drain; the second at the next one, which cuts the drain short.
pub fn stop_signals(
    mut interrupt: Signal,
    mut terminate: Signal,
    mut hangup: Signal,
) -> (impl Future<Output = ()>, impl Future<Output = ()>) {
    let (first, second) = (CancellationToken::new(), CancellationToken::new());
    let futures = (
        first.clone().cancelled_owned(),
        second.clone().cancelled_owned(),
    );
    tokio::spawn(async move {
        for signal_seen in [first, second] {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
                _ = hangup.recv() => {}
            }
            signal_seen.cancel();
        }
    });
    futures
}
// ANCHOR_END: signals

/// A bad option: one line, and exit status 2. Help is printed whole.
fn refuse(error: clap::Error) -> ! {
    use clap::error::ErrorKind::{DisplayHelp, DisplayVersion};
    if matches!(error.kind(), DisplayHelp | DisplayVersion) {
        error.exit();
    }
    let rendered = error.to_string();
    eprintln!(
        "{}",
        rendered.lines().next().unwrap_or("error: bad arguments")
    );
    std::process::exit(2);
}
