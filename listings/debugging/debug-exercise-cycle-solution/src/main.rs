// Everything but the jobs exists only with this crate's feature
// `deadlock-detection`, which turns on parking_lot's.
#![cfg_attr(not(feature = "deadlock-detection"), allow(dead_code, unused_imports))]

use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::Arc;
use std::thread::{self, JoinHandle, ThreadId};
use std::time::{Duration, Instant};

struct Shop {
    orders: Mutex<Vec<String>>,
    stock: Mutex<u32>,
    invoices: Mutex<Vec<String>>,
}

/// Stands for the work each job does under its first lock.
fn work() {
    thread::sleep(Duration::from_millis(50));
}

/// A new order takes an item from stock.
fn place_order(shop: &Shop) {
    let mut orders = shop.orders.lock();
    work();
    let mut stock = shop.stock.lock();
    *stock -= 1;
    orders.push("one chair".to_string());
}

/// A delivery adds stock and files the supplier's invoice.
fn restock(shop: &Shop) {
    let mut stock = shop.stock.lock();
    work();
    let mut invoices = shop.invoices.lock();
    *stock += 10;
    invoices.push("supplier: ten chairs".to_string());
}

// ANCHOR: fix
/// Billing sends an invoice for the orders taken so far. Every job takes
/// the locks it needs in one order: orders, then stock, then invoices.
fn bill(shop: &Shop) {
    let orders = shop.orders.lock();
    work();
    let mut invoices = shop.invoices.lock();
    invoices.push(format!("customer: {} orders", orders.len()));
}
// ANCHOR_END: fix

type Job = fn(&Shop);
const JOBS: [(&str, Job); 3] = [
    ("place_order", place_order),
    ("restock", restock),
    ("bill", bill),
];

/// Without the feature there is no detector: the program could hang, so it
/// does not start the jobs.
#[cfg(not(feature = "deadlock-detection"))]
fn main() {
    println!(
        "built without the feature deadlock-detection: no detector, so the jobs are not started"
    );
}

/// Runs the three jobs at once, up to three times, until the detector
/// reports a cycle.
#[cfg(feature = "deadlock-detection")]
fn main() {
    for round in 1..=3 {
        let shop = Arc::new(Shop {
            orders: Mutex::new(Vec::new()),
            stock: Mutex::new(5),
            invoices: Mutex::new(Vec::new()),
        });
        let mut names = HashMap::new();
        let mut handles = Vec::new();
        for (name, job) in JOBS {
            let shop = Arc::clone(&shop);
            let handle = thread::Builder::new()
                .name(name.to_string())
                .spawn(move || job(&shop))
                .unwrap();
            names.insert(handle.thread().id(), name);
            handles.push(handle);
        }
        if let Some(cycle) = watch(&handles) {
            report(round, &cycle, &names);
            return; // the deadlocked threads end with the process
        }
    }
    println!("3 rounds: every job finished, and the detector found no cycle");
}

/// Asks parking_lot for a cycle every 10 ms until every job has finished.
#[cfg(feature = "deadlock-detection")]
fn watch(handles: &[JoinHandle<()>]) -> Option<Vec<(ThreadId, String)>> {
    let started = Instant::now();
    loop {
        if let Some(cycle) = parking_lot::deadlock::check_deadlock().into_iter().next() {
            let threads = cycle.iter();
            return Some(
                threads
                    .map(|t| (t.thread_id(), format!("{:?}", t.backtrace())))
                    .collect(),
            );
        }
        if handles.iter().all(JoinHandle::is_finished) {
            return None;
        }
        if started.elapsed() > Duration::from_secs(5) {
            eprintln!("the jobs neither finished nor formed a cycle within 5 s");
            std::process::exit(1);
        }
        thread::sleep(Duration::from_millis(10));
    }
}

/// Prints each thread of the cycle, by name, with the line of this file
/// where it waits for a lock.
fn report(round: u32, cycle: &[(ThreadId, String)], names: &HashMap<ThreadId, &str>) {
    println!(
        "round {round}: parking_lot found a cycle of {} threads",
        cycle.len()
    );
    let mut lines: Vec<String> = cycle
        .iter()
        .map(|(id, backtrace)| {
            let name = names[id];
            format!(
                "thread {name} waits for a lock at {}",
                waits_at(backtrace, name)
            )
        })
        .collect();
    lines.sort();
    for line in lines {
        println!("  {line}");
    }
}

/// The `src/main.rs:LINE` of the frame of function `job` in a backtrace's
/// text: the frame's name line is followed by its `at FILE:LINE:COLUMN`.
fn waits_at(backtrace: &str, job: &str) -> String {
    let mut lines = backtrace.lines().map(str::trim);
    let suffix = format!("::{job}");
    while let Some(line) = lines.next() {
        if line
            .split_once(": ")
            .is_some_and(|(_, f)| f.ends_with(&suffix))
        {
            let place = lines
                .next()
                .and_then(|l| l.strip_prefix("at "))
                .unwrap_or("");
            if let Some((_, tail)) = place.rsplit_once("src/") {
                // FILE:LINE:COLUMN: keep the file and the line.
                let file_line = tail.rsplit_once(':').map_or(tail, |(fl, _)| fl);
                return format!("src/{file_line}");
            }
        }
    }
    "an unknown line (no debug info)".to_string()
}
