// ANCHOR: all
use std::thread;

fn main() {
    let mut visits = 0;

    let moved = thread::spawn(move || {
        visits += 10;
        visits
    });
    println!("the moved thread returned {}", moved.join().unwrap());
    println!("main, after the moved thread: {visits}");

    thread::scope(|scope| {
        scope.spawn(|| visits += 10);
    });
    println!("main, after the scoped thread: {visits}");
}
// ANCHOR_END: all
