use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tracing::{Instrument, info, info_span};

// ANCHOR: right
async fn handle_order(order: u32) {
    let span = info_span!("order", id = order);
    // Right: the span is attached to the future, which enters it each time
    // it is polled and exits it each time it is suspended.
    async move {
        info!(order, "received");
        // Order 1 waits less, so that the orders finish in a fixed order.
        tokio::time::sleep(Duration::from_millis(10 * u64::from(order))).await;
        info!(order, "done");
    }
    .instrument(span)
    .await
}
// ANCHOR_END: right

/// Writes the log to stdout and keeps a copy, which the program checks.
struct Tee(Arc<Mutex<Vec<u8>>>);

impl Write for Tee {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        std::io::stdout().write_all(bytes)?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stdout().flush()
    }
}

/// For a log line such as `INFO order{id=1}:order{id=2}: done order=1`,
/// the order of the innermost span and the order the event is about.
fn span_and_event(line: &str) -> Option<(&str, &str)> {
    let (spans, event) = line.rsplit_once(": ")?;
    let span = spans.rsplit_once("order{id=")?.1.strip_suffix('}')?;
    Some((span, event.rsplit_once("order=")?.1))
}

#[tokio::main(flavor = "current_thread", start_paused = true)]
async fn main() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let copy = log.clone();
    tracing_subscriber::fmt()
        .without_time() // times differ on every run; keep them in real logs
        .with_target(false)
        .with_ansi(false)
        .with_writer(move || Tee(copy.clone()))
        .init();
    // Two orders handled concurrently, on one thread.
    let first = tokio::spawn(handle_order(1));
    let second = tokio::spawn(handle_order(2));
    first.await.unwrap();
    second.await.unwrap();
    let log = String::from_utf8(log.lock().unwrap().clone()).unwrap();
    let misplaced = log
        .lines()
        .filter(|line| span_and_event(line).is_none_or(|(span, event)| span != event))
        .count();
    if misplaced == 0 && log.lines().count() == 4 {
        println!("every event was logged in its own order's span");
    } else {
        eprintln!("{misplaced} line(s) outside their own order's span");
        std::process::exit(1);
    }
}
