// ANCHOR: all
use std::thread;

fn print_numbers() {
    for i in 0..5 {
        println!("{i}");
    }
}

fn main() {
    let handle = thread::spawn(print_numbers);
    // Wait for the thread to finish; `join` returns Err if the thread panicked.
    handle.join().expect("the printing thread panicked");
}
// ANCHOR_END: all
