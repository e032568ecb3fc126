use std::collections::HashMap;

// ANCHOR: all
use std::sync::mpsc;
use std::thread;

fn main() {
    let (sender, readings) = mpsc::channel();
    for room in ["kitchen", "garage", "attic"] {
        // Each producer owns a clone of the sending half.
        let sender = sender.clone();
        thread::spawn(move || {
            for celsius in [20, 21] {
                sender.send((room, celsius)).expect("the receiver is gone");
            }
            // This thread's sender is dropped here, when the thread ends.
        });
    }
    // Drop main's own sender too: the loop below ends only when every
    // sender is gone, and main's would never go away by itself.
    drop(sender);
    // ANCHOR_END: all
    // Each room sends 20 then 21: check that every room's readings arrive
    // in the order that room sent them.
    let mut last_seen = HashMap::new();
    let mut in_order = true;
    // ANCHOR: all
    for (room, celsius) in readings {
        println!("{room}: {celsius} C");
        // ANCHOR_END: all
        if let Some(previous) = last_seen.insert(room, celsius) {
            in_order &= previous < celsius;
        }
        // ANCHOR: all
    }
    println!("every sender is gone: the channel is closed");
    // ANCHOR_END: all
    println!("check: per-sender order kept: {in_order}");
    // ANCHOR: all
}
// ANCHOR_END: all
