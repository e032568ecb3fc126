// ANCHOR: all
use std::thread;

/// The sum of the readings, split over `threads` scoped threads.
fn parallel_total(readings: &[u64], threads: usize) -> u64 {
    // TODO: cut `readings` into `threads` chunks, sum each chunk on its own
    // thread inside this scope, and add up the partial sums.
    let _ = (readings, threads);
    thread::scope(|_scope| 0)
}

fn main() {
    // 1,000 splits evenly; 1,001 does not; 3 readings are fewer than threads.
    for count in [1_000, 1_001, 3] {
        let readings: Vec<u64> = (1..=count).collect();
        let expected: u64 = readings.iter().sum();
        let total = parallel_total(&readings, 4);
        let verdict = if total == expected { "right" } else { "WRONG" };
        println!("{count} readings on 4 threads: {total}, expected {expected}: {verdict}");
    }
}
// ANCHOR_END: all
