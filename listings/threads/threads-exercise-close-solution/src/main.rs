// ANCHOR: all
use std::sync::mpsc;
use std::thread;

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
    // main's own sender was the one still alive: each till's clone is dropped
    // when its thread ends, but this one only when main ends.
    drop(sender);
    let total: u32 = takings.iter().sum();
    println!("total takings: {total} cents");
}
// ANCHOR_END: all
