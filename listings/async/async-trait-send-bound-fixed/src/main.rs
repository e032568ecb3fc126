use std::future::Future;
use std::sync::Arc;

// ANCHOR: all
trait PriceSource {
    /// `async fn price(..) -> u32`, plus a promise: the future is Send.
    fn price(&self, ticker: &str) -> impl Future<Output = u32> + Send;
}

/// Polls any price source from a background task.
async fn watch<S: PriceSource + Send + Sync + 'static>(source: Arc<S>) {
    let task = tokio::spawn(async move {
        let price = source.price("ACME").await;
        println!("ACME at {price}");
    });
    task.await.expect("the watcher panicked");
}

struct Exchange;

impl PriceSource for Exchange {
    // An implementation may still be written as an async fn; the compiler
    // checks that its future is Send, as the trait promised.
    async fn price(&self, _ticker: &str) -> u32 {
        tokio::task::yield_now().await;
        101
    }
}

#[tokio::main]
async fn main() {
    watch(Arc::new(Exchange)).await;
}
// ANCHOR_END: all
