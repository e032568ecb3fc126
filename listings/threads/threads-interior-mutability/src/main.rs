// ANCHOR: one_thread
use std::cell::{Cell, RefCell};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;

/// Page statistics for one thread: changed through `&self`.
struct Stats {
    hits: Cell<u32>,
    pages: RefCell<Vec<String>>,
}

impl Stats {
    fn record(&self, page: &str) {
        // Cell: copy the value out, put a new one in. No reference to the
        // inside ever exists, so nothing can observe a half-done change.
        self.hits.set(self.hits.get() + 1);
        // RefCell: a `&mut Vec` on demand, checked while the program runs.
        self.pages.borrow_mut().push(page.to_string());
    }
}

fn one_thread() {
    let stats = Stats {
        hits: Cell::new(0),
        pages: RefCell::new(Vec::new()),
    };
    stats.record("/");
    stats.record("/cart");
    let reading = stats.pages.borrow();
    // While `reading` is alive, a mutable borrow is refused at run time
    // (`borrow_mut` would panic; `try_borrow_mut` returns the error).
    match stats.pages.try_borrow_mut() {
        Ok(_) => println!("RefCell allowed a second borrow"),
        Err(error) => println!("borrow_mut during a borrow: {error}"),
    }
    drop(reading);
    let hits = stats.hits.get();
    println!("one thread: {hits} hits, pages {:?}", stats.pages.borrow());
}
// ANCHOR_END: one_thread

// ANCHOR: threads
// Continued from the previous part.
/// The same statistics, shared by threads.
struct SharedStats {
    hits: AtomicU32,
    pages: Mutex<Vec<String>>,
}

impl SharedStats {
    fn record(&self, page: &str) {
        self.hits.fetch_add(1, Ordering::Relaxed);
        // lock(&self) gives a guard that derefs to `&mut Vec`: the Mutex
        // makes sure that only one thread holds it at a time.
        self.pages.lock().unwrap().push(page.to_string());
    }
}

fn threads() {
    let shared = SharedStats {
        hits: AtomicU32::new(0),
        pages: Mutex::new(Vec::new()),
    };
    thread::scope(|scope| {
        for page in ["/", "/cart", "/checkout"] {
            // Each thread owns its `page` and moves in only a reference.
            let shared = &shared;
            scope.spawn(move || shared.record(page));
        }
    });
    let hits = shared.hits.load(Ordering::Relaxed);
    let mut pages = shared.pages.lock().unwrap().clone();
    // The threads finish in any order; sort to print the same line each run.
    pages.sort();
    println!("three threads: {hits} hits, pages {pages:?}");
}
// ANCHOR_END: threads

fn main() {
    one_thread();
    threads();
}
