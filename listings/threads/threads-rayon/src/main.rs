// ANCHOR: all
// The prelude brings par_iter and into_par_iter into scope.
use rayon::prelude::*;
// ANCHOR_END: all

const LIMIT: u64 = 300_000;
const PRIMES_BELOW_LIMIT: usize = 25_997;

fn is_prime(n: u64) -> bool {
    n >= 2
        && (2..)
            .take_while(|d| d * d <= n)
            .all(|d| !n.is_multiple_of(d))
}

// ANCHOR: all

fn main() {
    // into_par_iter instead of into_iter: rayon splits the range, and its
    // worker threads steal pieces from each other until none is left.
    let primes = (0..LIMIT).into_par_iter().filter(|&n| is_prime(n)).count();
    println!("primes below {LIMIT}: {primes} (expected {PRIMES_BELOW_LIMIT})");

    // The same on a slice, borrowed: no Arc, no move, no join to write.
    let basket_cents: Vec<u64> = (1..=10_000).collect();
    let total: u64 = basket_cents.par_iter().map(|cents| cents * 2).sum();
    println!("doubled total: {total}");

    // Two different jobs at once; join returns when both are done.
    let (cheapest, dearest) =
        rayon::join(|| basket_cents.iter().min(), || basket_cents.iter().max());
    println!("cheapest {cheapest:?}, dearest {dearest:?} cents");
    println!("rayon's pool has {} threads", rayon::current_num_threads());
}
// ANCHOR_END: all
