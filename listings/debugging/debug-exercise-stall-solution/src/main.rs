use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinSet;
use tokio::time::{self, MissedTickBehavior};
use tokio_metrics::{TaskMetrics, TaskMonitor};

/// How the audit writer acknowledges a record: on a std channel (the bug)
/// or on a tokio oneshot (the fix). Both are sent from a plain thread.
enum Ack {
    Std(mpsc::Sender<()>),
    Tokio(oneshot::Sender<()>),
}

/// Writes audit records on a thread of its own and acknowledges each one
/// once it is on disk.
fn start_audit_writer() -> mpsc::Sender<Ack> {
    let (records, inbox) = mpsc::channel::<Ack>();
    thread::spawn(move || {
        for ack in inbox {
            thread::sleep(Duration::from_millis(150)); // the disk write
            // A handler that gave up no longer listens: nothing to do.
            match ack {
                Ack::Std(done) => drop(done.send(())),
                Ack::Tokio(done) => drop(done.send(())),
            }
        }
    });
    records
}

async fn resize(request: u32) -> u32 {
    time::sleep(Duration::from_millis(30)).await;
    request * 2
}

async fn lookup(request: u32) -> u32 {
    for _ in 0..3 {
        time::sleep(Duration::from_millis(5)).await;
    }
    request + 1
}

// ANCHOR: fix
/// The bug: `recv_timeout` blocks the runtime's only thread for the whole
/// disk write, and no other task runs meanwhile.
async fn audit_blocking(request: u32, writer: mpsc::Sender<Ack>) -> u32 {
    let (done, written) = mpsc::channel();
    writer
        .send(Ack::Std(done))
        .expect("the audit writer has stopped");
    written
        .recv_timeout(Duration::from_secs(1))
        .expect("the audit record was not written in time");
    request
}

/// The fix: the acknowledgement comes on a tokio oneshot, which the task
/// awaits; the thread runs other tasks until the writer sends it.
async fn audit(request: u32, writer: mpsc::Sender<Ack>) -> u32 {
    let (done, written) = oneshot::channel();
    writer
        .send(Ack::Tokio(done))
        .expect("the audit writer has stopped");
    time::timeout(Duration::from_secs(1), written)
        .await
        .expect("the audit record was not written in time")
        .expect("the audit writer dropped the acknowledgement");
    request
}
// ANCHOR_END: fix

/// Wakes every 10 ms and records, in microseconds, its worst lateness.
async fn watchdog(worst_lateness_us: Arc<AtomicU64>) {
    let mut ticks = time::interval(Duration::from_millis(10));
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        let due = ticks.tick().await;
        let late = due.elapsed().as_micros() as u64;
        worst_lateness_us.fetch_max(late, Ordering::Relaxed);
    }
}

/// Counts a poll as slow from 50 ms: a 150 ms blocking wait is one.
fn monitor() -> TaskMonitor {
    let mut builder = TaskMonitor::builder();
    builder.with_slow_poll_threshold(Duration::from_millis(50));
    builder.build()
}

/// What one round measured: the watchdog's worst lateness in ms, and each
/// handler kind's poll metrics.
struct Round {
    worst_ms: f64,
    kinds: Vec<(&'static str, TaskMetrics)>,
}

// ANCHOR: find
async fn run_round(fixed: bool) -> Round {
    let worst = Arc::new(AtomicU64::new(0));
    let watchdog = tokio::spawn(watchdog(worst.clone()));
    let writer = start_audit_writer();
    // One monitor per handler kind: it times every poll of what it wraps.
    let (resizes, lookups, audits) = (monitor(), monitor(), monitor());
    let mut handlers = JoinSet::new();
    for request in 0..3 {
        handlers.spawn(resizes.instrument(resize(request)));
        handlers.spawn(lookups.instrument(lookup(request)));
        if fixed {
            handlers.spawn(audits.instrument(audit(request, writer.clone())));
        } else {
            handlers.spawn(audits.instrument(audit_blocking(request, writer.clone())));
        }
    }
    handlers.join_all().await;
    watchdog.abort();
    let kinds = vec![
        ("resize", resizes.cumulative()),
        ("lookup", lookups.cumulative()),
        ("audit", audits.cumulative()),
    ];
    Round {
        worst_ms: worst.load(Ordering::Relaxed) as f64 / 1000.0,
        kinds,
    }
}
// ANCHOR_END: find

fn print_round(title: &str, round: &Round) {
    println!("{title}");
    println!("  watchdog: worst wake-up {:.1} ms late", round.worst_ms);
    for (kind, metrics) in &round.kinds {
        println!(
            "  {kind}: {} polls, {} slower than 50 ms",
            metrics.total_poll_count, metrics.total_slow_poll_count
        );
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let found = run_round(false).await;
    print_round("audit waits on a std channel:", &found);
    let fixed = run_round(true).await;
    print_round("audit awaits a tokio oneshot:", &fixed);
    println!("{}", verdict(&found, &fixed));
}

/// The lesson, checked: in the first round only the audit handler had slow
/// polls; in the second none had, and the watchdog was less late. The
/// program stops with an error, naming what did not hold, otherwise.
fn verdict(found: &Round, fixed: &Round) -> &'static str {
    let slow = |round: &Round, kind: &str| {
        round
            .kinds
            .iter()
            .find(|(name, _)| *name == kind)
            .map_or(0, |(_, m)| m.total_slow_poll_count)
    };
    let checks = [
        (
            slow(found, "audit") >= 1,
            "the audit handler had slow polls",
        ),
        (
            slow(found, "resize") + slow(found, "lookup") == 0,
            "no other handler had one",
        ),
        (
            fixed
                .kinds
                .iter()
                .all(|(_, m)| m.total_slow_poll_count == 0),
            "the fix left no slow poll",
        ),
        (
            fixed.worst_ms < found.worst_ms,
            "the watchdog was less late after the fix",
        ),
    ];
    for (held, what) in checks {
        if !held {
            eprintln!("not shown: {what}");
            std::process::exit(1);
        }
    }
    "the audit handler stalled the runtime; awaiting the acknowledgement fixed it"
}
