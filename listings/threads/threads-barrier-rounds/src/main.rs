use std::sync::{Barrier, Mutex};
use std::thread;

const WORKERS: usize = 3;

// ANCHOR: all
fn main() {
    // Each round, every worker measures one sensor and writes its reading
    // into its own slot; a round is complete only when all three have.
    let readings = Mutex::new([0u32; WORKERS]);
    let round_done = Barrier::new(WORKERS);
    let summary_done = Barrier::new(WORKERS);

    thread::scope(|scope| {
        for sensor in 0..WORKERS {
            let (readings, round_done, summary_done) = (&readings, &round_done, &summary_done);
            scope.spawn(move || {
                for round in 1..=3 {
                    let reading = (sensor as u32 + 1) * 10 + round;
                    readings.lock().unwrap()[sensor] = reading;
                    // Nobody passes until all three have written.
                    let arrival = round_done.wait();
                    // Exactly one thread is told it is the leader.
                    if arrival.is_leader() {
                        let all = *readings.lock().unwrap();
                        println!(
                            "round {round}: readings {all:?}, sum {}",
                            all.iter().sum::<u32>()
                        );
                    }
                    // Nobody writes the next round before the summary is out.
                    summary_done.wait();
                }
            });
        }
    });
}
// ANCHOR_END: all
