use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::task::JoinSet;
use tokio::time::{self, MissedTickBehavior};
use tokio_metrics::TaskMonitor;

/// Stands in for a synchronous call: a database client without async
/// support, a large file read with std::fs, a CPU-heavy computation.
fn blocking_report_query() -> u64 {
    std::thread::sleep(Duration::from_millis(200));
    42
}

// ANCHOR: handlers
/// The bug: a blocking call made directly in async code holds the thread
/// that polls it, and no other task on that thread can run meanwhile.
async fn report_blocking() -> u64 {
    blocking_report_query()
}

/// The fix: the blocking call runs on tokio's blocking thread pool.
async fn report_off_runtime() -> u64 {
    tokio::task::spawn_blocking(blocking_report_query)
        .await
        .unwrap()
}

/// A well-behaved handler: short polls, most of its time awaiting.
async fn lookup() {
    for _ in 0..10 {
        time::sleep(Duration::from_millis(2)).await;
    }
}

/// Counts a poll as slow from 10 ms (tokio-metrics' default is 50 µs).
fn monitor() -> TaskMonitor {
    let mut builder = TaskMonitor::builder();
    builder.with_slow_poll_threshold(Duration::from_millis(10));
    builder.build()
}
// ANCHOR_END: handlers

// ANCHOR: watchdog
/// Wakes every 10 ms and records, in microseconds, how late the worst wake-up
/// was: on a healthy runtime a timer fires within about a millisecond.
async fn watchdog(worst_lateness_us: Arc<AtomicU64>) {
    let mut ticks = time::interval(Duration::from_millis(10));
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        let due = ticks.tick().await;
        let late = due.elapsed().as_micros() as u64;
        worst_lateness_us.fetch_max(late, Ordering::Relaxed);
    }
}
// ANCHOR_END: watchdog

/// What one round measured.
struct Round {
    worst_lateness: Duration,
    busy_share: f64,
    report: tokio_metrics::TaskMetrics,
    lookups: tokio_metrics::TaskMetrics,
}

// ANCHOR: round
async fn run_round(blocking: bool) -> Round {
    let runtime = tokio::runtime::Handle::current().metrics();
    let busy_before = runtime.worker_total_busy_duration(0);
    let started = Instant::now();
    let worst = Arc::new(AtomicU64::new(0));
    let watchdog = tokio::spawn(watchdog(worst.clone()));
    let (report_monitor, lookup_monitor) = (monitor(), monitor());
    let mut tasks = JoinSet::new();
    // The report request arrived first; twenty lookups arrive behind it.
    if blocking {
        tasks.spawn(report_monitor.instrument(async {
            report_blocking().await;
        }));
    } else {
        tasks.spawn(report_monitor.instrument(async {
            report_off_runtime().await;
        }));
    }
    for _ in 0..20 {
        tasks.spawn(lookup_monitor.instrument(lookup()));
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    watchdog.abort();
    let busy = runtime.worker_total_busy_duration(0) - busy_before;
    Round {
        worst_lateness: Duration::from_micros(worst.load(Ordering::Relaxed)),
        busy_share: busy.as_secs_f64() / started.elapsed().as_secs_f64(),
        report: report_monitor.cumulative(),
        lookups: lookup_monitor.cumulative(),
    }
}
// ANCHOR_END: round

fn print_round(title: &str, round: &Round) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("{title}");
    println!(
        "  watchdog: worst wake-up {:.1} ms late",
        ms(round.worst_lateness)
    );
    println!(
        "  runtime: worker busy {:.0}% of the round",
        round.busy_share * 100.0
    );
    for (name, task) in [
        ("report task", &round.report),
        ("lookup tasks", &round.lookups),
    ] {
        println!(
            "  {name}: {} polls, {} slower than 10 ms, {:.1} ms in slow polls; \
             {:.1} ms in all from spawn to first poll",
            task.total_poll_count,
            task.total_slow_poll_count,
            ms(task.total_slow_poll_duration),
            ms(task.total_first_poll_delay)
        );
    }
}

/// The lesson, as checks on what the two rounds measured: each line is
/// printed only when it holds, and the program fails otherwise.
fn verdicts(stalled: &Round, fixed: &Round) -> Vec<(bool, &'static str)> {
    vec![
        (
            stalled.worst_lateness > fixed.worst_lateness,
            "stalled: the watchdog woke later with the blocking call than with spawn_blocking",
        ),
        (
            stalled.busy_share > 0.5 && stalled.busy_share > fixed.busy_share,
            "busy: the worker ran tasks most of the stalled round, more than in the fixed one",
        ),
        (
            stalled.report.total_slow_poll_count >= 1 && stalled.lookups.total_slow_poll_count == 0,
            "culprit: the report task had a slow poll, no lookup task had one",
        ),
        (
            stalled.lookups.total_first_poll_delay > stalled.report.total_slow_poll_duration
                && fixed.lookups.total_first_poll_delay < stalled.lookups.total_first_poll_delay,
            "victims: the lookup tasks waited for their first poll while the report task ran",
        ),
        (
            fixed.report.total_slow_poll_count == 0,
            "fixed: with spawn_blocking the report task had no slow poll",
        ),
    ]
}

// ANCHOR: main
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let stalled = run_round(true).await;
    print_round("blocking call in an async task:", &stalled);
    let fixed = run_round(false).await;
    print_round("blocking call in spawn_blocking:", &fixed);
    print_verdicts(&stalled, &fixed);
}
// ANCHOR_END: main

/// Prints each verdict that holds; exits with status 1, naming the ones that
/// do not, if any does not.
fn print_verdicts(stalled: &Round, fixed: &Round) {
    let mut all_held = true;
    for (holds, verdict) in verdicts(stalled, fixed) {
        if holds {
            println!("{verdict}");
        } else {
            eprintln!("not shown: {verdict}");
            all_held = false;
        }
    }
    if !all_held {
        std::process::exit(1);
    }
}
