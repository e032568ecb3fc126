use std::thread;

use crossbeam::channel::{self, TrySendError};

fn main() {
    // ANCHOR: all
    // A bounded channel holds at most 2 frames in flight.
    let (frames, camera_feed) = channel::bounded(2);
    frames.try_send("frame 1").unwrap();
    frames.try_send("frame 2").unwrap();
    match frames.try_send("frame 3") {
        Err(TrySendError::Full(frame)) => println!("bounded(2): full, {frame} handed back"),
        other => println!("bounded(2): unexpected {other:?}"),
    }
    let first = thread::scope(|scope| {
        let viewer = scope.spawn(|| camera_feed.recv().unwrap());
        // A plain send waits for room: if the channel is still full when it
        // runs, it returns only after the viewer has taken a frame (the
        // viewer may also get there first). That wait is backpressure.
        frames.send("frame 3").unwrap();
        viewer.join().unwrap()
    });
    println!("bounded(2): the viewer took {first}, then frame 3 fit");
    println!("bounded(2): {} frames waiting", camera_feed.len());

    // An unbounded channel is never full: the queue just grows. try_send,
    // which refuses rather than wait, never has to refuse.
    let (log, log_lines) = channel::unbounded();
    let refused = (1..=100_000)
        .filter(|&line| log.try_send(line).is_err())
        .count();
    println!(
        "unbounded: {} lines waiting, {refused} refused as full",
        log_lines.len()
    );
    // ANCHOR_END: all
}
