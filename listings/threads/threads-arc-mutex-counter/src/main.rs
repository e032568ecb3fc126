// ANCHOR: all
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::thread;

fn main() {
    // Arc: shared ownership that is safe across threads.
    // Mutex: one thread at a time may change the map.
    let hits = Arc::new(Mutex::new(BTreeMap::new()));
    let access_logs = [
        vec!["/", "/cart", "/"],
        vec!["/", "/login"],
        vec!["/cart", "/cart", "/"],
    ];
    let mut handles = Vec::new();
    for log in access_logs {
        // Each thread gets its own Arc pointing at the same map.
        let hits = Arc::clone(&hits);
        handles.push(thread::spawn(move || {
            for page in log {
                // lock() waits until no other thread holds the lock. The
                // guard it returns unlocks when it is dropped, at the end of
                // this statement.
                *hits.lock().unwrap().entry(page).or_insert(0) += 1;
            }
        }));
    }
    for handle in handles {
        handle.join().expect("a counting thread panicked");
    }
    // The threads are done: one last lock() to read the map.
    let counts = hits.lock().unwrap();
    println!("page    hits");
    for (page, count) in counts.iter() {
        println!("{page:<7} {count:>4}");
    }
}
// ANCHOR_END: all
