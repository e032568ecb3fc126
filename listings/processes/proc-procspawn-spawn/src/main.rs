// ANCHOR: all
use std::error::Error;
use std::process;

/// Counts the primes in start..end, in a process of its own.
fn count_primes((start, end): (u64, u64)) -> (u32, u64) {
    let primes = (start..end).filter(|&n| is_prime(n)).count() as u64;
    (process::id(), primes)
}

fn main() -> Result<(), Box<dyn Error>> {
    procspawn::init(); // first: the child process runs the function from here
    let handle = procspawn::spawn((0, 25_000), count_primes);
    let (child, primes) = handle.join()?; // waits for the result, reaps the child
    println!("process {child} counted {primes} primes below 25,000");
    println!("this is process {}", process::id());
    // ANCHOR_END: all
    let elsewhere = child != process::id();
    println!("check: the count ran in another process: {elsewhere}");
    // ANCHOR: all
    Ok(())
}
// ANCHOR_END: all

fn is_prime(n: u64) -> bool {
    n >= 2
        && (2..)
            .take_while(|d| d * d <= n)
            .all(|d| !n.is_multiple_of(d))
}
