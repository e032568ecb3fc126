use std::rc::Rc;

#[tokio::main]
async fn main() {
    // A task loads a catalog and hands it back, ready to share, through its
    // JoinHandle.
    let loader = tokio::spawn(async {
        let catalog = vec!["lamp", "desk", "chair"];
        Rc::new(catalog)
    });
    let catalog = loader.await.unwrap();
    println!("{} items", catalog.len());
}
