// ANCHOR: read
use std::collections::BTreeMap;
use std::thread;

use crossbeam::channel::{self, Receiver, Sender};

/// What stage 2 makes of one line of an order file.
enum Parsed {
    Order { item: String, quantity: u32 },
    Bad { line: String },
}

/// Stage 1: read the lines (from memory here, from a file or socket in life).
fn read_lines(lines: &[&str], out: Sender<String>) {
    for line in lines {
        out.send(line.to_string()).expect("the parsers are gone");
    }
    // `out` is dropped here: the parsers will see the channel close.
}
// ANCHOR_END: read

// ANCHOR: parse
// Continued from the previous part.
/// Stage 2: parse "item,quantity" lines. Several of these run at once.
fn parse(lines: Receiver<String>, out: Sender<Parsed>) {
    // The loop ends when stage 1 has dropped its sender and the channel is empty.
    for line in lines {
        let parsed = match line.split_once(',') {
            Some((item, quantity)) => match quantity.trim().parse() {
                Ok(quantity) => Parsed::Order {
                    item: item.trim().to_string(),
                    quantity,
                },
                Err(_) => Parsed::Bad { line },
            },
            None => Parsed::Bad { line },
        };
        out.send(parsed).expect("the totaller is gone");
    }
}
// ANCHOR_END: parse

// ANCHOR: total
// Continued from the previous part.
/// Stage 3: add up the quantities per item.
fn total(parsed: Receiver<Parsed>) -> (BTreeMap<String, u32>, Vec<String>) {
    let mut totals = BTreeMap::new();
    let mut bad = Vec::new();
    for entry in parsed {
        match entry {
            Parsed::Order { item, quantity } => *totals.entry(item).or_insert(0) += quantity,
            Parsed::Bad { line } => bad.push(line),
        }
    }
    (totals, bad)
}
// ANCHOR_END: total

// ANCHOR: main
// Continued from the previous part.
fn main() {
    let order_lines = [
        "apple, 3",
        "bread, 1",
        "apple, 2",
        "milk, two",
        "milk, 2",
        "bread, 4",
        "cheese",
    ];
    let (line_sender, line_receiver) = channel::bounded(4);
    let (parsed_sender, parsed_receiver) = channel::bounded(4);
    let (totals, mut bad) = thread::scope(|scope| {
        scope.spawn(|| read_lines(&order_lines, line_sender));
        for _ in 0..2 {
            // Each parser gets clones of both ends it needs.
            let (lines, out) = (line_receiver.clone(), parsed_sender.clone());
            scope.spawn(move || parse(lines, out));
        }
        // Drop main's copies, or stage 3 would wait for them forever.
        drop(parsed_sender);
        drop(line_receiver);
        scope.spawn(|| total(parsed_receiver)).join().unwrap()
    });
    for (item, quantity) in &totals {
        println!("{item:<6} {quantity}");
    }
    bad.sort(); // the two parsers may send them in either order
    println!("lines that were not orders: {bad:?}");
}
// ANCHOR_END: main
