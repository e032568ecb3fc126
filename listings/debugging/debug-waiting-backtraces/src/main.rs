use std::backtrace::Backtrace;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier, Mutex, MutexGuard};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

// ANCHOR: notes
/// One thread's note: who it is, the lock it wants, and its own stack,
/// captured by the thread itself just before it blocks.
struct Note {
    id: ThreadId,
    name: String,
    what: &'static str,
    backtrace: Backtrace,
}

#[derive(Default)]
struct WaitNotes {
    waiting: Mutex<Vec<Note>>,
    progress: AtomicU64,
}

impl WaitNotes {
    /// `Mutex::lock`, with a note of who waits where while it waits.
    fn lock<'a, T>(&self, mutex: &'a Mutex<T>, what: &'static str) -> MutexGuard<'a, T> {
        let me = thread::current();
        // Keyed by ThreadId: names repeat (every tokio worker has the same
        // one, an unnamed thread has none), ids never do.
        let note = Note {
            id: me.id(),
            name: me.name().unwrap_or("unnamed").to_string(),
            what,
            // Backtrace::force_capture can only see the thread that calls it.
            backtrace: Backtrace::force_capture(),
        };
        self.waiting.lock().unwrap().push(note);
        let guard = mutex.lock().unwrap();
        self.waiting
            .lock()
            .unwrap()
            .retain(|note| note.id != me.id());
        self.progress.fetch_add(1, Ordering::Relaxed);
        guard
    }
}
// ANCHOR_END: notes

struct Account {
    owner: &'static str,
    balance: Mutex<i64>,
}

fn transfer(notes: &WaitNotes, from: &Account, to: &Account, barrier: &Barrier) {
    let mut from_balance = notes.lock(&from.balance, from.owner);
    barrier.wait(); // make the fatal interleaving certain
    let mut to_balance = notes.lock(&to.balance, to.owner);
    *from_balance -= 500;
    *to_balance += 500;
}

// ANCHOR: watchdog
/// Returns true when progress has stopped with threads waiting: the counter
/// has not moved for a whole period while two or more threads were noted as
/// waiting; false if that has not happened within `limit`.
fn watch(notes: &WaitNotes, period: Duration, limit: Duration) -> bool {
    let started = Instant::now();
    let mut last = notes.progress.load(Ordering::Relaxed);
    while started.elapsed() < limit {
        thread::sleep(period);
        let now = notes.progress.load(Ordering::Relaxed);
        if now == last && notes.waiting.lock().unwrap().len() >= 2 {
            return true;
        }
        last = now;
    }
    false
}

fn report(notes: &WaitNotes) {
    let mut waiting = notes.waiting.lock().unwrap();
    waiting.sort_by(|a, b| a.name.cmp(&b.name));
    for note in waiting.iter() {
        println!(
            "thread \"{}\" waits for the lock of {}, at:",
            note.name, note.what
        );
        for frame in own_frames(&note.backtrace.to_string()) {
            println!("    {frame}");
        }
    }
}
// ANCHOR_END: watchdog

/// The frames of this program in a backtrace (std's and the runtime's
/// frames are left out), innermost first.
fn own_frames(backtrace: &str) -> Vec<String> {
    let crate_name = module_path!();
    backtrace
        .lines()
        .filter_map(|line| line.trim().split_once(": "))
        .map(|(_, function)| function.to_string())
        .filter(|function| function.starts_with(crate_name) && !function.contains("{{closure}}"))
        .collect()
}

fn main() {
    let notes = Arc::new(WaitNotes::default());
    let account = |owner| {
        Arc::new(Account {
            owner,
            balance: Mutex::new(10_000),
        })
    };
    let (alice, bob) = (account("Alice"), account("Bob"));
    let barrier = Arc::new(Barrier::new(2));
    for (teller, from, to) in [("teller-a", &alice, &bob), ("teller-b", &bob, &alice)] {
        let (notes, from, to, barrier) = (notes.clone(), from.clone(), to.clone(), barrier.clone());
        thread::Builder::new()
            .name(teller.to_string())
            .spawn(move || transfer(&notes, &from, &to, &barrier))
            .unwrap();
    }
    // ANCHOR: main
    if !watch(&notes, Duration::from_millis(100), Duration::from_secs(2)) {
        eprintln!("watchdog: no stall within 2 s, so nothing to report");
        std::process::exit(1);
    }
    println!("watchdog: no lock taken for 100 ms, 2 threads waiting");
    report(&notes);
    // The notes record waits, not holds. Two tellers waiting for the two
    // accounts are a cycle only if each holds the other's: an inference.
    let waiting = notes.waiting.lock().unwrap();
    if waiting.len() == 2 && waiting[0].what != waiting[1].what {
        println!("likely a deadlock: the tellers wait for the two different accounts");
    } else {
        eprintln!("the waiting threads do not form a cycle");
        std::process::exit(1);
    }
    // Returning from main ends the process, stuck threads included.
    // ANCHOR_END: main
}
