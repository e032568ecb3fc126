// ANCHOR: all
use std::process;
use std::thread;
use std::time::Duration;

use procspawn::Pool;

/// Counts the primes in start..end. It runs in a worker process.
fn count_primes((start, end): (u64, u64)) -> Result<u64, String> {
    match start {
        0 => return Err(format!("bad range {start}..{end}")),
        25_000 => process::abort(), // as a segfault in C code would
        50_000 => thread::sleep(Duration::from_secs(60)), // stuck
        _ => {}
    }
    Ok((start..end).filter(|&n| is_prime(n)).count() as u64)
}

fn main() {
    procspawn::init(); // first: a worker process runs its tasks from here
    let pool = Pool::new(3).expect("could not start the workers");
    let handles: Vec<_> = (0..6)
        .map(|i| pool.spawn((i * 25_000, (i + 1) * 25_000), count_primes))
        .collect();
    for (i, mut handle) in handles.into_iter().enumerate() {
        match handle.join_timeout(Duration::from_secs(1)) {
            Ok(Ok(primes)) => println!("task {i}: {primes} primes"),
            Ok(Err(reason)) => println!("task {i}: returned an error: {reason}"),
            Err(e) => println!("task {i}: failed: {e}"),
        }
    }
    pool.shutdown();
}
// ANCHOR_END: all

fn is_prime(n: u64) -> bool {
    n >= 2
        && (2..)
            .take_while(|d| d * d <= n)
            .all(|d| !n.is_multiple_of(d))
}
