use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::sync::{Arc, Mutex};
use tokio::task::{self, JoinSet};
use tracing::{Instrument, Span, info, instrument};

// ANCHOR: handlers
/// A span named handle_order, with the argument and the id of the task
/// as fields (an async fn's span is made when its body first runs, inside
/// the task that runs it).
#[instrument(fields(task = %task::id()))]
async fn handle_order(order: u32) -> u32 {
    info!("order received");
    // A spawned task does not inherit the span: attach it to the future.
    let stock = tokio::spawn(check_stock().in_current_span()).await.unwrap();
    // Nor does a blocking thread: carry the span there and enter it.
    let span = Span::current();
    let price = task::spawn_blocking(move || span.in_scope(|| price(order)))
        .await
        .unwrap();
    info!(stock, price, "order done");
    price
}

#[instrument(fields(task = %task::id()))]
async fn check_stock() -> u32 {
    info!("checking stock");
    task::yield_now().await; // the task may resume on another thread
    info!("stock checked");
    3
}

#[instrument]
fn price(order: u32) -> u32 {
    info!("pricing");
    order * 100
}
// ANCHOR_END: handlers

/// Writes the log to stdout and keeps a copy, which the program checks
/// after the run.
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

/// The text between `start` and the next `end` in `line`.
fn between<'a>(line: &'a str, start: &str, end: char) -> Option<&'a str> {
    let after = &line[line.find(start)? + start.len()..];
    Some(&after[..after.find(end)?])
}

/// What the spans promise, checked on the log: every order has its five
/// steps, all with one `handle_order` task id, its two stock lines one
/// `check_stock` task id, its pricing its own order, and the work ran on
/// more than one thread.
fn check_log(log: &str) -> Result<(), String> {
    const STEPS: [&str; 5] = [
        "}: order received",
        "}: checking stock",
        "}: stock checked",
        "}: pricing",
        "}: order done",
    ];
    let mut orders: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut threads = BTreeSet::new();
    for line in log.lines() {
        threads.insert(between(line, "ThreadId(", ')').ok_or("a line without a thread id")?);
        let order = between(line, "handle_order{order=", ' ').ok_or("a line without an order")?;
        orders.entry(order).or_default().push(line);
    }
    for (order, lines) in &orders {
        let tasks: BTreeSet<_> = lines.iter().map(|l| between(l, " task=", '}')).collect();
        let stock: Vec<_> = lines
            .iter()
            .filter(|l| l.contains(":check_stock{"))
            .collect();
        let stock_tasks: BTreeSet<_> = stock
            .iter()
            .map(|l| between(l, "check_stock{task=", '}'))
            .collect();
        let steps_once = STEPS
            .iter()
            .all(|step| lines.iter().filter(|l| l.contains(step)).count() == 1);
        let priced_itself = lines
            .iter()
            .any(|l| l.contains(&format!(":price{{order={order}}}: pricing")));
        if lines.len() != 5
            || !steps_once
            || !priced_itself
            || tasks.len() != 1
            || stock_tasks.len() != 1
        {
            return Err(format!(
                "order {order}: its lines do not carry consistent ids"
            ));
        }
    }
    if orders.len() != 3 || threads.len() < 2 {
        return Err("fewer than 3 orders, or everything on one thread".to_string());
    }
    Ok(())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let copy = log.clone();
    tracing_subscriber::fmt()
        .without_time() // times differ on every run; keep them in real logs
        .with_target(false)
        .with_ansi(false)
        .with_thread_names(true)
        .with_thread_ids(true)
        .with_writer(move || Tee(copy.clone()))
        .init();
    let mut orders = JoinSet::new();
    for order in 1..=3 {
        orders.spawn(handle_order(order));
    }
    while let Some(done) = orders.join_next().await {
        done.unwrap();
    }
    let log = String::from_utf8_lossy(&log.lock().unwrap()).into_owned();
    match check_log(&log) {
        Ok(()) => println!(
            "checked: each order's 5 lines carry its order and one task id, on more than one thread"
        ),
        Err(problem) => {
            eprintln!("the spans did not follow the orders: {problem}");
            std::process::exit(1);
        }
    }
}
