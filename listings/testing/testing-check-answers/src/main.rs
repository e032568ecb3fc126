// ANCHOR: sum
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// Sums `numbers` on a worker thread, which stores the sum in `answer`.
/// `late` stands for a busy machine: the worker starts that much later.
fn spawn_sum(numbers: Vec<u64>, answer: Arc<Mutex<u64>>, late: Duration) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        thread::sleep(late);
        *answer.lock().unwrap() = numbers.iter().sum();
    })
}

/// Wrong: waits for a time that is long enough on a quiet machine.
fn sum_after_sleep(numbers: Vec<u64>, late: Duration) -> u64 {
    let answer = Arc::new(Mutex::new(0));
    let _worker = spawn_sum(numbers, Arc::clone(&answer), late);
    thread::sleep(Duration::from_millis(10));
    *answer.lock().unwrap()
}

/// Right: waits for the worker itself, however late it is.
fn sum_after_join(numbers: Vec<u64>, late: Duration) -> u64 {
    let answer = Arc::new(Mutex::new(0));
    spawn_sum(numbers, Arc::clone(&answer), late)
        .join()
        .unwrap();
    *answer.lock().unwrap()
}

// ANCHOR_END: sum

// ANCHOR: main
fn main() {
    let numbers: Vec<u64> = (1..=10_000).collect();
    let busy = Duration::from_millis(500);
    let slept = sum_after_sleep(numbers.clone(), busy);
    let joined = sum_after_join(numbers, busy);
    println!("busy machine, sleep then read: {slept}");
    println!("busy machine, join then read:  {joined}");
    // ANCHOR_END: main
    // The verdict: the answer check must catch the sleep and pass the join.
    // The worker starts 500 ms late and the sleep lasts 10 ms, so the sleep
    // reads too early unless this thread itself was held up for 490 ms.
    if slept == 50_005_000 || joined != 50_005_000 {
        eprintln!("the sleep read {slept} and the join {joined}: not the lesson");
        std::process::exit(1);
    }
    println!("right answer 50005000: the check fails the sleep, passes the join");
}

// ANCHOR: test
#[cfg(test)]
mod tests {
    use super::*;

    // Checks the answer, on a machine slow enough to defeat a sleep.
    #[test]
    fn sum_is_right_on_a_busy_machine() {
        let numbers: Vec<u64> = (1..=10_000).collect();
        let busy = Duration::from_millis(200);
        assert_eq!(sum_after_join(numbers, busy), 50_005_000);
    }
}
// ANCHOR_END: test
