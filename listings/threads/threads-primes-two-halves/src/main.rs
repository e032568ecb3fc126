// ANCHOR: all
use std::thread;
use std::time::Instant;

const LIMIT: u64 = 150_000;

/// Trial division: slow on purpose, so that the work is all computing.
fn is_prime(n: u64) -> bool {
    let mut divisor = 2;
    while divisor * divisor <= n {
        if n.is_multiple_of(divisor) {
            return false;
        }
        divisor += 1;
    }
    n >= 2
}

fn count_primes(from: u64, to: u64) -> usize {
    (from..to).filter(|&n| is_prime(n)).count()
}

fn main() {
    let start = Instant::now();
    // Like Process(target=...).start() in the Python guide, but a thread.
    let low = thread::spawn(|| count_primes(0, LIMIT / 2));
    let high = thread::spawn(|| count_primes(LIMIT / 2, LIMIT));
    // join waits for each thread and hands back what it returned.
    let primes = low.join().unwrap() + high.join().unwrap();
    let wall = start.elapsed().as_secs_f64() * 1000.0;
    println!("{primes} primes below {LIMIT}, counted on two threads in {wall:.1} ms");
}
// ANCHOR_END: all
