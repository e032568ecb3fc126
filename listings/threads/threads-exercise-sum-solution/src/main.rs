// ANCHOR: all
use std::thread;

/// The sum of the readings, split over `threads` scoped threads.
fn parallel_total(readings: &[u64], threads: usize) -> u64 {
    // Zero threads cannot sum anything: treat it as one.
    let threads = threads.max(1);
    // Round up, so that at most `threads` chunks cover every reading
    // (fewer when the readings do not split evenly, or are fewer than
    // `threads`). At least 1: `chunks` refuses a size of 0.
    let chunk_size = readings.len().div_ceil(threads).max(1);
    thread::scope(|scope| {
        let handles: Vec<_> = readings
            .chunks(chunk_size)
            .map(|chunk| scope.spawn(move || chunk.iter().sum::<u64>()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    })
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
