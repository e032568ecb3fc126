// ANCHOR: all
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::Duration;

fn main() {
    let (sender, takings) = mpsc::channel();
    let tills: Vec<_> = (1..=3)
        .map(|till| {
            let sender = sender.clone();
            thread::spawn(move || sender.send(till * 1_000).unwrap())
        })
        .collect();
    // Every till has sent its takings once these joins return.
    for till in tills {
        till.join().unwrap();
    }
    // TODO: with a plain `for amount in takings` this program would never
    // end. Find out why, fix it with one line, then use that plain loop.
    let mut total = 0;
    loop {
        match takings.recv_timeout(Duration::from_millis(200)) {
            Ok(amount) => total += amount,
            Err(RecvTimeoutError::Timeout) => {
                println!("still waiting after 200 ms: a sender is still alive");
                break;
            }
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    println!("total takings: {total} cents");
}
// ANCHOR_END: all
