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
        // A plain send waits for room: it returns only after the viewer has
        // taken a frame. That wait is backpressure on the producer.
        frames.send("frame 3").unwrap();
        viewer.join().unwrap()
    });
    println!("bounded(2): the viewer took {first}, then frame 3 fit");
    println!("bounded(2): {} frames waiting", camera_feed.len());

    // An unbounded channel never makes a sender wait: the queue just grows.
    let (log, log_lines) = channel::unbounded();
    for line in 1..=100_000 {
        log.send(line).unwrap();
    }
    println!(
        "unbounded: {} lines waiting, no sender ever waited",
        log_lines.len()
    );
    // ANCHOR_END: all
}
