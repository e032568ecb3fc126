#[tokio::main]
async fn main() {
    let prices = vec![101, 99, 104];
    let total = tokio::spawn(async {
        prices.iter().sum::<i32>()
    });
    println!("total {}", total.await.unwrap());
}
