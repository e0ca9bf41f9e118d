// WRONG: copies the value for every snapshot instead of sharing it
use std::sync::{Arc, Mutex};
use std::thread;

/// A value that many readers take snapshots of while writers change it.
#[derive(Debug, Default)]
pub struct Published<T> {
    current: Mutex<Arc<T>>,
}

impl<T: Clone> Published<T> {
    pub fn new(value: T) -> Published<T> {
        Published {
            current: Mutex::new(Arc::new(value)),
        }
    }

    /// The value now, as a snapshot that later updates never change. No copy is made.
    pub fn snapshot(&self) -> Arc<T> {
        Arc::new(T::clone(&self.current.lock().unwrap()))
    }

    /// Changes the value. The value is copied first only if a snapshot of it is out.
    pub fn update(&self, change: impl FnOnce(&mut T)) {
        let mut current = self.current.lock().expect("a writer panicked");
        // In place when the store holds the only handle; a private copy otherwise, which
        // replaces the store's handle and leaves the snapshots on the old value.
        change(Arc::make_mut(&mut current));
    }
}

fn main() {
    let routes = Published::new(vec!["/home".to_string()]);
    let before = routes.snapshot();
    routes.update(|routes| routes.push("/about".to_string()));
    let after = routes.snapshot();
    println!("old snapshot: {before:?}, new snapshot: {after:?}");
    drop(before);
    drop(after);
    let address = Arc::as_ptr(&routes.snapshot());
    routes.update(|routes| routes.push("/contact".to_string()));
    let same = std::ptr::eq(address, Arc::as_ptr(&routes.snapshot()));
    println!("with no snapshot out, the update changed the value in place: {same}");
    let reader = thread::spawn(move || routes.snapshot().len());
    println!("a reader thread sees {} routes", reader.join().unwrap());
}
