// ANCHOR: all
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

fn main() {
    // Used once, as a go-ahead: the thread sends `()`, and main waits for it.
    let (started, has_started) = mpsc::channel();
    // The handle is dropped at once: nobody will join this thread.
    thread::spawn(move || {
        for step in 1..=3 {
            println!("backup: step {step} of 3");
            if step == 1 {
                started.send(()).expect("main stopped listening");
            }
            // Simulate a slow step: a second of copying files.
            thread::sleep(Duration::from_secs(1));
        }
        println!("backup: finished");
    });
    // Wait until the backup has printed its first step, so that every run
    // prints the same thing; then return without joining it.
    has_started.recv().expect("the backup thread ended early");
    println!("main: returning without joining the backup thread");
}
// ANCHOR_END: all
