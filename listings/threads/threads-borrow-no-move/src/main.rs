use std::thread;

fn main() {
    let log_lines = vec!["GET /index.html 200", "GET /missing 404", "POST /login 500"];
    let handle = thread::spawn(|| {
        let failures = log_lines.iter().filter(|line| !line.ends_with(" 200"));
        failures.count()
    });
    let failures = handle.join().unwrap();
    println!("{failures} failed requests");
}
