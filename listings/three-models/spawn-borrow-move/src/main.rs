// ANCHOR: all
use std::thread;

fn main() {
    let prices = vec![101, 99, 104];
    // `move` makes the closure own `prices`: the thread can outlive `main`'s
    // stack frame, so it must not borrow from it.
    let handle = thread::spawn(move || {
        let total: i32 = prices.iter().sum();
        println!("{} prices, total {total}", prices.len());
        prices // hand the vector back when done
    });
    // `main` gave `prices` away; `join` returns what the thread returned.
    let prices = handle.join().expect("the summing thread panicked");
    println!("main has its {} prices back", prices.len());
}
// ANCHOR_END: all
