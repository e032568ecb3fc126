// ANCHOR: all
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

fn main() {
    // Room for two readings: Python's queue.Queue(maxsize=2).
    let (readings, inbox) = mpsc::sync_channel(2);
    // A fast producer: five readings, each sent as soon as send returns.
    let sensor = thread::spawn(move || {
        for celsius in 20..25 {
            // With two readings queued, send waits for the consumer to take one.
            readings.send(celsius).expect("the consumer is gone");
        }
    });
    // A slow consumer: main is busy elsewhere before it takes anything.
    thread::sleep(Duration::from_millis(100));
    // The sensor has had time for its five sends, yet it waits in the third.
    let finished = sensor.is_finished();
    println!("after 100 ms, has the sensor finished? {finished}");
    // Each reading taken makes room for one more send.
    for celsius in inbox {
        println!("took {celsius} C");
    }
    // The loop ended because the sensor dropped its sender: it has finished.
    sensor.join().unwrap();
    println!("the sensor sent all five and finished");
}
// ANCHOR_END: all
