// ANCHOR: bounded
use std::sync::mpsc::{self, TrySendError};
use std::thread;

// ANCHOR: rendezvous
fn main() {
    // ANCHOR_END: rendezvous
    // Room for two readings: Python's queue.Queue(maxsize=2).
    let (readings, inbox) = mpsc::sync_channel::<u32>(2);
    readings.try_send(21).unwrap();
    readings.try_send(22).unwrap();
    // try_send never waits: on a full channel it hands the value back.
    match readings.try_send(23) {
        Err(TrySendError::Full(reading)) => println!("channel full, {reading} handed back"),
        other => println!("unexpected: {other:?}"),
    }
    // Taking one out makes room again.
    println!("received {}", inbox.recv().unwrap());
    readings.try_send(23).unwrap();
    drop(readings);
    let rest: Vec<u32> = inbox.iter().collect();
    println!("then received {rest:?}");
    // ANCHOR_END: bounded

    // ANCHOR: rendezvous
    // Continued from the previous part.
    // Capacity 0: a send completes only when a receiver takes the value.
    let (courier, desk) = mpsc::sync_channel::<&str>(0);
    // Nobody is waiting at the desk, so there is nowhere to put the parcel.
    match courier.try_send("parcel") {
        Err(TrySendError::Full(parcel)) => println!("no one at the desk, {parcel} handed back"),
        other => println!("unexpected: {other:?}"),
    }
    // send blocks until main's recv below takes the parcel.
    let delivery = thread::spawn(move || courier.send("parcel").unwrap());
    println!("the desk took the {}", desk.recv().unwrap());
    delivery.join().unwrap();
    // ANCHOR: bounded
}
// ANCHOR_END: bounded
// ANCHOR_END: rendezvous
