// ANCHOR: all
use std::thread;
use std::time::Instant;

const LIMIT: u64 = 150_000;
const BLOCK: u64 = 1_000;

// ANCHOR_END: all

/// Trial division, as in threads-primes-two-halves, but it also counts its divisions.
fn is_prime(n: u64) -> (bool, u64) {
    let mut divisor = 2;
    while divisor * divisor <= n {
        if n.is_multiple_of(divisor) {
            return (false, divisor - 1);
        }
        divisor += 1;
    }
    (n >= 2, divisor - 2)
}

// ANCHOR: all
/// One thread's result: the primes it found and the divisions it made.
fn count(numbers: impl Iterator<Item = u64>) -> (u64, u64) {
    numbers.fold((0, 0), |(primes, divisions), n| {
        let (prime, cost) = is_prime(n);
        (primes + u64::from(prime), divisions + cost)
    })
}

/// Runs each job on its own thread and prints the wall time and the work shares.
fn run(name: &str, jobs: Vec<fn() -> (u64, u64)>) -> u64 {
    let start = Instant::now();
    let handles: Vec<_> = jobs.into_iter().map(thread::spawn).collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let wall = start.elapsed().as_secs_f64() * 1000.0;
    let divisions: u64 = results.iter().map(|r| r.1).sum();
    let shares: Vec<_> = results
        .iter()
        .map(|r| format!("{}%", (r.1 * 100 + divisions / 2) / divisions))
        .collect();
    println!(
        "{name:<12} {wall:>6.1} ms   divisions: {}",
        shares.join(" ")
    );
    results.iter().map(|r| r.0).sum()
}

fn main() {
    let one = run("one thread", vec![|| count(0..LIMIT)]);
    let halves = run(
        "two halves",
        vec![|| count(0..LIMIT / 2), || count(LIMIT / 2..LIMIT)],
    );
    // Blocks of 1,000 numbers dealt out in turn: even blocks to one thread, odd to the other.
    let even = || count((0..LIMIT).filter(|n| (n / BLOCK).is_multiple_of(2)));
    let odd = || count((0..LIMIT).filter(|n| !(n / BLOCK).is_multiple_of(2)));
    let blocks = run("dealt blocks", vec![even, odd]);
    assert!(one == halves && halves == blocks, "the splits disagree");
    println!("{one} primes below {LIMIT} each time");
}
// ANCHOR_END: all
