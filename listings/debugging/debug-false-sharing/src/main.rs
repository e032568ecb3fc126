use crossbeam::utils::CachePadded;
use std::sync::Barrier;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

const INCREMENTS: u64 = 2_000_000;
const LINE: usize = 64; // the cache line of x86-64 and most ARM cores

// ANCHOR: layouts
/// Two counters side by side: 8 bytes each, in one 64-byte cache line
/// (the alignment makes sure the pair does not straddle two lines).
#[repr(align(64))]
#[derive(Default)]
struct SameLine {
    a: AtomicU64,
    b: AtomicU64,
}

/// The same two counters, each padded and aligned to a line of its own.
#[derive(Default)]
struct Padded {
    a: CachePadded<AtomicU64>,
    b: CachePadded<AtomicU64>,
}
// ANCHOR_END: layouts

// ANCHOR: race
/// Two threads, each incrementing only its own counter, started together.
/// They share no data, yet each write takes the line away from the other
/// core when both counters live in the same line.
fn time_two_counters(a: &AtomicU64, b: &AtomicU64) -> Duration {
    let start = Barrier::new(3);
    let count = |counter: &AtomicU64| {
        start.wait();
        for _ in 0..INCREMENTS {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    };
    thread::scope(|s| {
        s.spawn(|| count(a));
        s.spawn(|| count(b));
        start.wait();
        let began = Instant::now();
        // Leaving the scope joins both threads.
        began
    })
    .elapsed()
}
// ANCHOR_END: race

/// Five rounds, each timing both layouts on fresh counters, one after the
/// other, so that both meet about the same load from other programs.
/// Returns the time of each round: (one line, two lines).
fn five_rounds() -> Vec<(Duration, Duration)> {
    (0..5)
        .map(|_| {
            let same = SameLine::default();
            let padded = Padded::default();
            let times = (
                time_two_counters(&same.a, &same.b),
                time_two_counters(&padded.a, &padded.b),
            );
            for (a, b) in [(&same.a, &same.b), (&*padded.a, &*padded.b)] {
                assert_eq!(
                    (a.load(Ordering::Relaxed), b.load(Ordering::Relaxed)),
                    (INCREMENTS, INCREMENTS)
                );
            }
            times
        })
        .collect()
}

/// Which cache line an address falls in.
fn line_of(counter: &AtomicU64) -> usize {
    counter as *const AtomicU64 as usize / LINE
}

fn ms(time: Duration) -> f64 {
    time.as_secs_f64() * 1000.0
}

fn main() {
    // ANCHOR: main
    let rounds = five_rounds();
    let same = rounds.iter().map(|r| r.0).min().unwrap();
    let padded = rounds.iter().map(|r| r.1).min().unwrap();
    println!("2 threads, {INCREMENTS} increments each, best of 5 rounds:");
    println!("  counters in one cache line:   {:7.1} ms", ms(same));
    println!("  counters in two cache lines:  {:7.1} ms", ms(padded));
    println!(
        "  one line took {:.2}x as long as two",
        ms(same) / ms(padded)
    );
    let each: Vec<String> = rounds
        .iter()
        .map(|(s, p)| format!("{:.2}x", ms(*s) / ms(*p)))
        .collect();
    println!("  round by round: {}", each.join(" "));
    // ANCHOR_END: main
    let (s, p) = (SameLine::default(), Padded::default());
    let apart = |a: &AtomicU64, b: &AtomicU64| b as *const _ as usize - a as *const _ as usize;
    if line_of(&s.a) == line_of(&s.b) && line_of(&p.a) != line_of(&p.b) {
        println!(
            "layout: one line of {LINE} bytes holds both counters, {} bytes apart; padded, they are {} bytes apart",
            apart(&s.a, &s.b),
            apart(&p.a, &p.b)
        );
    } else {
        eprintln!("the counters are not laid out as the lesson needs");
        std::process::exit(1);
    }
}
