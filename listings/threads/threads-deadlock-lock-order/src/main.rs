// ANCHOR: plain
use std::sync::Mutex;
use std::thread;

struct Account {
    id: u32,
    owner: &'static str,
    balance: Mutex<i64>,
}

/// Locks `from`, then `to`. Run alone, it works. Run at the same time as a
/// transfer the other way, each may hold one lock and wait forever for the
/// other's: a deadlock.
fn transfer(from: &Account, to: &Account, cents: i64) {
    let mut from_balance = from.balance.lock().unwrap();
    let mut to_balance = to.balance.lock().unwrap();
    *from_balance -= cents;
    *to_balance += cents;
}
// ANCHOR_END: plain

// ANCHOR: showing
// Continued from the previous part.
use std::sync::{Barrier, TryLockError};

/// `transfer`, made to show its deadlock without hanging: the barriers make
/// the fatal interleaving certain, and the second lock is tried (try_lock)
/// instead of waited for.
fn transfer_showing_deadlock(
    from: &Account,
    to: &Account,
    cents: i64,
    both_locked: &Barrier,
    both_tried: &Barrier,
) -> String {
    let mut from_balance = from.balance.lock().unwrap();
    // Neither transfer goes on until both hold their first lock.
    both_locked.wait();
    // The plain transfer calls lock() here, and waits forever; try_lock()
    // returns WouldBlock instead.
    let outcome = match to.balance.try_lock() {
        Ok(mut to_balance) => {
            *from_balance -= cents;
            *to_balance += cents;
            String::from("done")
        }
        Err(TryLockError::WouldBlock) => format!(
            "stuck: holds {}'s lock, needs {}'s, which the other transfer holds",
            from.owner, to.owner
        ),
        Err(TryLockError::Poisoned(_)) => String::from("poisoned"),
    };
    // Keep the first lock until the other transfer has tried too.
    both_tried.wait();
    outcome
}
// ANCHOR_END: showing

// ANCHOR: ordered
// Continued from the previous part.
/// The fix: every transfer takes the two locks in the same global order
/// (lowest account id first), whatever the direction of the transfer.
fn transfer_in_id_order(from: &Account, to: &Account, cents: i64) {
    let (first, second) = if from.id < to.id {
        (from, to)
    } else {
        (to, from)
    };
    let mut first_balance = first.balance.lock().unwrap();
    let mut second_balance = second.balance.lock().unwrap();
    let (from_balance, to_balance) = if from.id < to.id {
        (&mut *first_balance, &mut *second_balance)
    } else {
        (&mut *second_balance, &mut *first_balance)
    };
    *from_balance -= cents;
    *to_balance += cents;
}
// ANCHOR_END: ordered

// ANCHOR: run
// Continued from the previous part.
fn main() {
    let alice = Account {
        id: 1,
        owner: "Alice",
        balance: Mutex::new(10_000),
    };
    let bob = Account {
        id: 2,
        owner: "Bob",
        balance: Mutex::new(10_000),
    };

    // One at a time, nothing else holds a lock: the plain transfer works.
    transfer(&alice, &bob, 500);
    transfer(&bob, &alice, 500);
    println!("one at a time: Alice -> Bob, then Bob -> Alice: done");

    // At the same time, in opposite directions: each holds one lock and
    // needs the other's.
    let (both_locked, both_tried) = (Barrier::new(2), Barrier::new(2));
    let (alice_to_bob, bob_to_alice) = thread::scope(|scope| {
        let one =
            scope.spawn(|| transfer_showing_deadlock(&alice, &bob, 500, &both_locked, &both_tried));
        let two =
            scope.spawn(|| transfer_showing_deadlock(&bob, &alice, 300, &both_locked, &both_tried));
        (one.join().unwrap(), two.join().unwrap())
    });
    println!("at the same time: Alice -> Bob {alice_to_bob}");
    println!("at the same time: Bob -> Alice {bob_to_alice}");

    // In id order, in opposite directions, 2,000 transfers at once.
    thread::scope(|scope| {
        scope.spawn(|| (0..1_000).for_each(|_| transfer_in_id_order(&alice, &bob, 5)));
        scope.spawn(|| (0..1_000).for_each(|_| transfer_in_id_order(&bob, &alice, 3)));
    });
    let (a, b) = (*alice.balance.lock().unwrap(), *bob.balance.lock().unwrap());
    println!(
        "id order: 2,000 transfers done; Alice {a}, Bob {b}, together {}",
        a + b
    );
}
// ANCHOR_END: run
