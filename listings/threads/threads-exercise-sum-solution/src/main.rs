use std::thread;

// ANCHOR: all
/// The sum of the readings, split over `threads` scoped threads.
fn parallel_total(readings: &[u64], threads: usize) -> u64 {
    // Round up, so that `threads` chunks cover every reading.
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
    let readings: Vec<u64> = (1..=1_000).collect();
    let expected: u64 = readings.iter().sum();
    let total = parallel_total(&readings, 4);
    println!("total on 4 threads: {total}, expected {expected}");
    if total != expected {
        println!("not done yet: parallel_total is still a stub");
    }
}
// ANCHOR_END: all
