// ANCHOR: all
use std::cell::{Cell, RefCell};
use std::thread;

thread_local! {
    /// Each thread has its own counter, starting at 0: no lock, no atomic.
    static HANDLED: Cell<u32> = const { Cell::new(0) };
    /// A scratch buffer each thread reuses instead of allocating per request.
    static SCRATCH: RefCell<String> = RefCell::new(String::with_capacity(64));
}

fn render_greeting(name: &str) -> usize {
    HANDLED.set(HANDLED.get() + 1);
    SCRATCH.with_borrow_mut(|buffer| {
        buffer.clear();
        buffer.push_str("Hello, ");
        buffer.push_str(name);
        buffer.len()
    })
}

fn main() {
    let shifts = [vec!["Ada", "Grace"], vec!["Linus", "Ken", "Dennis"]];
    let handled: Vec<u32> = thread::scope(|scope| {
        let handles: Vec<_> = shifts
            .iter()
            .map(|names| {
                scope.spawn(move || {
                    for name in names {
                        render_greeting(name);
                    }
                    // This thread's own copy, not anyone else's.
                    HANDLED.get()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    println!("requests handled per thread: {handled:?}");
    // main never called render_greeting: its copy is still 0.
    println!("requests handled by main: {}", HANDLED.get());
}
// ANCHOR_END: all
