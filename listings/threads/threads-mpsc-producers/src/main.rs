use std::sync::mpsc;
use std::thread;

fn main() {
    // ANCHOR: all
    let (sender, readings) = mpsc::channel();
    for room in ["kitchen", "garage", "attic"] {
        // Each producer owns a clone of the sending half.
        let sender = sender.clone();
        thread::spawn(move || {
            for celsius in [20, 21] {
                sender
                    .send(format!("{room}: {celsius} C"))
                    .expect("the receiver is gone");
            }
            // This thread's sender is dropped here, when the thread ends.
        });
    }
    // Drop main's own sender too: the loop below ends only when every
    // sender is gone, and main's would never go away by itself.
    drop(sender);
    for reading in readings {
        println!("{reading}");
    }
    println!("every sender is gone: the channel is closed");
    // ANCHOR_END: all
}
