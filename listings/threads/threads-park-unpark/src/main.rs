use std::sync::Mutex;
use std::thread;

// ANCHOR: all
fn main() {
    let next_order: Mutex<Option<String>> = Mutex::new(None);

    thread::scope(|scope| {
        let courier = scope.spawn(|| {
            loop {
                let order = next_order.lock().unwrap().take();
                match order {
                    Some(order) => break order,
                    // Nothing yet: sleep until some thread unparks us. park
                    // may also return for no reason, hence the loop.
                    None => thread::park(),
                }
            }
        });
        *next_order.lock().unwrap() = Some(String::from("order 7: two pizzas"));
        // Wake the courier. Had it not parked yet, its next park would
        // return at once: unpark leaves a token that park consumes.
        courier.thread().unpark();
        let order = courier.join().unwrap();
        println!("courier delivered {order}");
    });

    // The token in action, on a new thread: main may hold a token from the
    // scope above, but this thread's park can find only its own unpark's.
    thread::spawn(|| {
        thread::current().unpark();
        thread::park();
        println!("a new thread parked after its own unpark and went straight on");
    })
    .join()
    .unwrap();
}
// ANCHOR_END: all
