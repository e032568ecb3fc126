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
    // The viewer, here main itself, takes a frame, which makes room. A plain
    // `send` on the full channel would have waited for this: backpressure.
    let first = camera_feed.recv().unwrap();
    frames.try_send("frame 3").unwrap();
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
