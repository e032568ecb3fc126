use std::time::Duration;

async fn fetch_rate(currency: &str) -> f64 {
    tokio::time::sleep(Duration::from_millis(20)).await; // a simulated request
    match currency {
        "EUR" => 1.08,
        "GBP" => 1.27,
        _ => 1.0,
    }
}

// A plain function, called from synchronous code: a CLI, a callback, a test.
fn convert_to_usd(amount: f64) -> f64 {
    let rate = fetch_rate("EUR").await;
    amount * rate
}

fn main() {
    println!("{:.2}", convert_to_usd(100.0));
}
