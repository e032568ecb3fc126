use std::sync::Arc;

trait PriceSource {
    async fn price(&self, ticker: &str) -> u32;
}

/// Polls any price source from a background task.
fn watch<S: PriceSource + Send + Sync + 'static>(source: Arc<S>) {
    tokio::spawn(async move {
        let price = source.price("ACME").await;
        println!("ACME at {price}");
    });
}

struct Exchange;

impl PriceSource for Exchange {
    async fn price(&self, _ticker: &str) -> u32 {
        101
    }
}

#[tokio::main]
async fn main() {
    watch(Arc::new(Exchange));
}
