use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Mutex;
use std::thread;

fn main() {
    // Rc instead of Arc: the Mutex inside is fine, the Rc around it is not.
    let hits = Rc::new(Mutex::new(BTreeMap::new()));
    let mut handles = Vec::new();
    for page in ["/", "/cart", "/"] {
        let hits = Rc::clone(&hits);
        handles.push(thread::spawn(move || {
            *hits.lock().unwrap().entry(page).or_insert(0) += 1;
        }));
    }
    for handle in handles {
        handle.join().unwrap();
    }
    println!("{:?}", hits.lock().unwrap());
}
