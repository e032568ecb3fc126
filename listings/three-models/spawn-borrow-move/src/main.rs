use std::thread;

// ANCHOR: all
fn main() {
    let prices = vec![101, 99, 104];
    // `move` makes the closure own `prices`: the thread can outlive `main`'s
    // stack frame, so it must not borrow from it.
    let handle = thread::spawn(move || {
        let total: i32 = prices.iter().sum();
        println!("{} prices, total {total}", prices.len());
    });
    handle.join().expect("the summing thread panicked");
}
// ANCHOR_END: all
