// ANCHOR: all
use std::sync::mpsc;
use std::thread;

fn main() {
    let numbers: Vec<u64> = (1..=10_000).collect();
    for workers in [1, 2, 4, 8] {
        println!("{workers} worker(s): {}", parallel_sum(&numbers, workers));
    }
}

/// Sums `numbers` on `workers` threads: each sums one chunk and sends its
/// part back on a channel.
fn parallel_sum(numbers: &[u64], workers: usize) -> u64 {
    let (parts, results) = mpsc::channel();
    let chunk = numbers.len().div_ceil(workers).max(1);
    thread::scope(|s| {
        for piece in numbers.chunks(chunk) {
            let parts = parts.clone();
            s.spawn(move || parts.send(piece.iter().sum::<u64>()).unwrap());
        }
    }); // the scope joins every worker before it returns
    drop(parts); // the last sender: now `results` ends after the last part
    results.iter().sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    // The answer, whatever the schedule: no sleep, and no time to compare.
    #[test]
    fn same_sum_for_every_number_of_workers() {
        let numbers: Vec<u64> = (1..=10_000).collect();
        for workers in 1..=8 {
            assert_eq!(parallel_sum(&numbers, workers), 50_005_000);
        }
    }
}
// ANCHOR_END: all
