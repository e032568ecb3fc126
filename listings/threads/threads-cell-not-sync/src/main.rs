use std::cell::Cell;
use std::thread;

fn main() {
    let visits = Cell::new(0);
    thread::scope(|scope| {
        for _ in 0..2 {
            // Both threads would call `set` through a shared `&Cell`.
            scope.spawn(|| visits.set(visits.get() + 1));
        }
    });
    println!("visits: {}", visits.get());
}
