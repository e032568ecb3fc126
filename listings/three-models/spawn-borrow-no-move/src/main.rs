use std::thread;

fn main() {
    let prices = vec![101, 99, 104];
    let handle = thread::spawn(|| {
        let total: i32 = prices.iter().sum();
        println!("{} prices, total {total}", prices.len());
    });
    handle.join().unwrap();
}
