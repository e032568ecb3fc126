use crossbeam::utils::CachePadded;
use std::sync::Barrier;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

const CHUNK: u64 = 2_000; // increments between two looks at the clock
const CHUNKS: usize = 250; // chunks per thread and round: 500,000 increments
const ENOUGH: usize = 20; // chunks run together: enough for a median
/// How long to keep trying to catch the two threads running together.
const PATIENCE: Duration = Duration::from_millis(600);
const LINE: usize = 64; // the cache line of x86-64 and most ARM cores
/// A chunk that took longer than this was interrupted: the thread lost
/// its core to another program for part of it. Uncontended, a chunk takes
/// a few microseconds; a contended one, a few tens.
const INTERRUPTED: Duration = Duration::from_micros(500);

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
/// When one chunk of increments started and ended.
type Chunk = (Instant, Instant);

/// Increments only its own counter, and notes when each chunk of
/// increments started and ended: the chunks show when this thread ran.
fn count(counter: &AtomicU64) -> Vec<Chunk> {
    let mut chunks = Vec::with_capacity(CHUNKS);
    for _ in 0..CHUNKS {
        let began = Instant::now();
        for _ in 0..CHUNK {
            counter.fetch_add(1, Ordering::Relaxed);
        }
        chunks.push((began, Instant::now()));
    }
    chunks
}

/// Two threads, one counter each, started together at a barrier.
fn race(a: &AtomicU64, b: &AtomicU64) -> (Vec<Chunk>, Vec<Chunk>) {
    let start = Barrier::new(2);
    thread::scope(|s| {
        let other = s.spawn(|| {
            start.wait();
            count(b)
        });
        start.wait();
        let mine = count(a);
        (mine, other.join().unwrap())
    })
}
// ANCHOR_END: race

/// How long a chunk overlapped the other thread's uninterrupted chunks:
/// the time both threads were running, each on a core of its own.
fn overlap(chunk: &Chunk, other: &[Chunk]) -> Duration {
    other
        .iter()
        .filter(|c| c.1 - c.0 < INTERRUPTED)
        .filter(|c| c.0 < chunk.1 && chunk.0 < c.1)
        .map(|c| chunk.1.min(c.1) - chunk.0.max(c.0))
        .sum()
}

/// Nanoseconds per increment of each uninterrupted chunk, sorted into
/// those that ran while the other thread ran too (nine tenths or more of
/// the chunk) and those that ran while it did not run at all.
#[derive(Default)]
struct Costs {
    together: Vec<f64>,
    alone: Vec<f64>,
}

impl Costs {
    fn add(&mut self, mine: &[Chunk], other: &[Chunk]) {
        for chunk in mine.iter().filter(|c| c.1 - c.0 < INTERRUPTED) {
            let took = chunk.1 - chunk.0;
            let ns = took.as_nanos() as f64 / CHUNK as f64;
            let shared = overlap(chunk, other);
            if shared * 10 >= took * 9 {
                self.together.push(ns);
            } else if shared.is_zero() {
                self.alone.push(ns);
            }
        }
    }
}

/// The median, which a few chunks slowed by something else cannot move.
fn median(values: &mut [f64]) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied()
}

/// Rounds of one layout, fresh counters each time, until enough chunks
/// ran together (on a busy machine the threads may mostly take turns) or
/// the patience runs out.
fn measure<L: Default>(counters: impl Fn(&L) -> (&AtomicU64, &AtomicU64)) -> Costs {
    let mut costs = Costs::default();
    let began = Instant::now();
    while began.elapsed() < PATIENCE {
        let layout = L::default();
        let (a, b) = counters(&layout);
        let (chunks_a, chunks_b) = race(a, b);
        costs.add(&chunks_a, &chunks_b);
        costs.add(&chunks_b, &chunks_a);
        let want = CHUNK * CHUNKS as u64;
        if (a.load(Ordering::Relaxed), b.load(Ordering::Relaxed)) != (want, want) {
            eprintln!("an increment was lost");
            std::process::exit(1);
        }
        if costs.together.len() >= ENOUGH {
            break;
        }
    }
    costs
}

/// One line of the report: the median cost while both threads ran, and
/// while one ran alone, and how many times the one the other.
fn report(name: &str, costs: &mut Costs) {
    let alone = median(&mut costs.alone);
    match (median(&mut costs.together), alone) {
        (Some(together), Some(alone)) if costs.together.len() >= ENOUGH => println!(
            "  {name}: {together:5.1} ns per increment while both threads ran, {alone:4.1} ns alone: {:.1}x",
            together / alone
        ),
        (Some(_), None) if costs.together.len() >= ENOUGH => println!(
            "  {name}: no chunk ran alone, so nothing to compare with ({} chunks together)",
            costs.together.len()
        ),
        _ => println!(
            "  {name}: the threads ran at the same moment too seldom to tell ({} chunks)",
            costs.together.len()
        ),
    }
}

/// Which cache line an address falls in.
fn line_of(counter: &AtomicU64) -> usize {
    counter as *const AtomicU64 as usize / LINE
}

fn main() {
    // ANCHOR: main
    let mut same = measure(|l: &SameLine| (&l.a, &l.b));
    let mut padded = measure(|l: &Padded| (&*l.a, &*l.b));
    println!("2 threads, each incrementing its own counter, median of {CHUNK}-increment chunks:");
    report("one cache line ", &mut same);
    report("two cache lines", &mut padded);
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
