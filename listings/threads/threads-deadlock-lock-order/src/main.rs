use std::sync::{Barrier, Mutex, MutexGuard, TryLockError};
use std::thread;

struct Account {
    id: u32,
    owner: &'static str,
    balance: Mutex<i64>,
}

// ANCHOR: naive
/// Locks `from`, then `to`. Two of these running in opposite directions can
/// each hold one lock and wait for the other's: a deadlock. To show it
/// safely, the second lock is tried (try_lock) instead of waited for.
fn transfer_from_then_to(
    from: &Account,
    to: &Account,
    cents: i64,
    both_locked: &Barrier,
    both_tried: &Barrier,
) -> String {
    let mut from_balance = from.balance.lock().unwrap();
    // Make the fatal interleaving certain: both transfers hold their first lock.
    both_locked.wait();
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
    // Keep the first lock until the other transfer has tried too; with
    // lock() instead of try_lock(), both would wait here forever.
    both_tried.wait();
    outcome
}
// ANCHOR_END: naive

// ANCHOR: ordered
/// The fix: every transfer takes the two locks in the same global order
/// (lowest account id first), whatever the direction of the transfer.
fn transfer_in_id_order(from: &Account, to: &Account, cents: i64) {
    let (first, second) = if from.id < to.id {
        (from, to)
    } else {
        (to, from)
    };
    let mut first_balance: MutexGuard<i64> = first.balance.lock().unwrap();
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

    // ANCHOR: main
    let (both_locked, both_tried) = (Barrier::new(2), Barrier::new(2));
    let (alice_to_bob, bob_to_alice) = thread::scope(|scope| {
        let one =
            scope.spawn(|| transfer_from_then_to(&alice, &bob, 500, &both_locked, &both_tried));
        let two =
            scope.spawn(|| transfer_from_then_to(&bob, &alice, 300, &both_locked, &both_tried));
        (one.join().unwrap(), two.join().unwrap())
    });
    println!("from, then to: Alice -> Bob {alice_to_bob}");
    println!("from, then to: Bob -> Alice {bob_to_alice}");

    thread::scope(|scope| {
        scope.spawn(|| (0..1_000).for_each(|_| transfer_in_id_order(&alice, &bob, 5)));
        scope.spawn(|| (0..1_000).for_each(|_| transfer_in_id_order(&bob, &alice, 3)));
    });
    let (a, b) = (*alice.balance.lock().unwrap(), *bob.balance.lock().unwrap());
    println!(
        "id order: 2,000 transfers done; Alice {a}, Bob {b}, together {}",
        a + b
    );
    // ANCHOR_END: main
}
