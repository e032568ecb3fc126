// ANCHOR: bounded
use crossbeam::channel::{self, TrySendError};
use std::thread;

// ANCHOR: archivers
// ANCHOR: unbounded
fn main() {
    // ANCHOR_END: unbounded
    // ANCHOR_END: archivers
    // A bounded channel holds at most 2 frames in flight.
    let (frames, camera_feed) = channel::bounded(2);
    frames.try_send("frame 1").unwrap();
    frames.try_send("frame 2").unwrap();
    match frames.try_send("frame 3") {
        Err(TrySendError::Full(frame)) => println!("bounded(2): full, {frame} handed back"),
        other => println!("bounded(2): unexpected {other:?}"),
    }
    // The viewer, here main itself, takes a frame, which makes room.
    let first = camera_feed.recv().unwrap();
    frames.try_send("frame 3").unwrap();
    println!("bounded(2): the viewer took {first}, then frame 3 fit");
    // ANCHOR_END: bounded

    // ANCHOR: unbounded
    // Continued from the previous part.
    // An unbounded channel is never full: `send` never waits.
    let (log, log_lines) = channel::unbounded();
    for line in 1..=100_000 {
        log.send(line).unwrap();
    }
    drop(log); // the only sender: the loops below end once the channel is empty
    println!("unbounded: {} lines waiting", log_lines.len());
    // ANCHOR_END: unbounded

    // ANCHOR: archivers
    // Continued from the previous part.
    let taken: Vec<usize> = thread::scope(|scope| {
        let archivers: Vec<_> = (0..2)
            .map(|_| {
                // Each archiver gets its own clone of the receiver.
                let lines = log_lines.clone();
                scope.spawn(move || {
                    let mut taken = 0;
                    for _line in lines {
                        taken += 1; // a real archiver would write the line out
                    }
                    taken
                })
            })
            .collect();
        archivers
            .into_iter()
            .map(|archiver| archiver.join().unwrap())
            .collect()
    });
    let (a, b) = (taken[0], taken[1]);
    println!("two archivers took {a} + {b} = {} lines", a + b);
    // ANCHOR: unbounded
    // ANCHOR: bounded
}
// ANCHOR_END: bounded
// ANCHOR_END: unbounded
// ANCHOR_END: archivers
