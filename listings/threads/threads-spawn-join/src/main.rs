// ANCHOR: all
use std::thread;

fn total_cents(day: &str, orders: &[u32]) -> u64 {
    if orders.is_empty() {
        panic!("no orders recorded for {day}");
    }
    orders.iter().map(|&cents| u64::from(cents)).sum()
}

fn main() {
    let week = [
        ("Monday", vec![1250, 399, 2000]),
        ("Tuesday", vec![]),
        ("Wednesday", vec![999, 1]),
    ];
    let mut handles = Vec::new();
    for (day, orders) in week {
        // `move`: the thread owns its day's orders. Its return value comes
        // back through the JoinHandle.
        let handle = thread::spawn(move || total_cents(day, &orders));
        handles.push((day, handle));
    }
    // Join them all before printing, so the panic message (printed by the
    // panicking thread itself) always comes first in the output.
    let results: Vec<_> = handles
        .into_iter()
        .map(|(day, handle)| (day, handle.join()))
        .collect();
    for (day, result) in results {
        match result {
            Ok(total) => println!("{day}: {total} cents"),
            Err(payload) => {
                // The payload is the value given to panic!: a String here.
                let message = panic_message(payload);
                println!("{day}: the thread panicked: {message}");
            }
        }
    }
}
// ANCHOR_END: all

/// The message given to `panic!` with a format string, which makes it a `String`.
fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(message) => *message,
        Err(_) => "(not a string)".to_string(),
    }
}
