use std::error::Error;
use std::thread;
use std::time::Duration;

use tokio::runtime::Builder;
use tokio::sync::mpsc;

async fn fetch_rate(currency: &str) -> f64 {
    tokio::time::sleep(Duration::from_millis(20)).await; // a simulated request
    match currency {
        "EUR" => 1.08,
        "GBP" => 1.27,
        _ => 1.0,
    }
}

// ANCHOR: all
// A plain, synchronous main: a CLI, or an old program adopting async code.
fn main() -> Result<(), Box<dyn Error>> {
    let runtime = Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;

    // 1. Sync code runs a future to completion: block_on waits for it.
    let rate = runtime.block_on(fetch_rate("EUR"));
    println!("main, block_on:          100 EUR = {:.2} USD", 100.0 * rate);

    // 2. Another thread uses the same runtime through a Handle (cheap to
    //    clone, Send): block_on on it, or spawn tasks onto it.
    let handle = runtime.handle().clone();
    let converter = thread::spawn(move || 100.0 * handle.block_on(fetch_rate("GBP")));
    let usd = converter
        .join()
        .map_err(|_| "the converter thread panicked")?;
    println!("thread, Handle::block_on: 100 GBP = {usd:.2} USD");

    // 3. Sync threads produce, an async task consumes. blocking_send waits
    //    by blocking the calling thread, which is right outside the runtime.
    let (readings, mut inbox) = mpsc::channel::<(usize, u32)>(8);
    let totals = runtime.spawn(async move {
        let mut totals = [0; 3];
        while let Some((sensor, value)) = inbox.recv().await {
            totals[sensor] += value;
        }
        totals
    });
    let sensors: Vec<_> = (0..3)
        .map(|sensor| {
            let readings = readings.clone();
            thread::spawn(move || {
                for value in 1..=10 {
                    readings
                        .blocking_send((sensor, value))
                        .expect("the consumer is gone");
                }
            })
        })
        .collect();
    drop(readings); // the threads hold the only senders left
    for sensor in sensors {
        sensor.join().map_err(|_| "a sensor thread panicked")?;
    }
    let totals = runtime.block_on(totals)?;
    println!("async consumer totals:   {totals:?} (each sensor sent 1 + 2 + ... + 10)");
    Ok(())
}
// ANCHOR_END: all
