// WRONG: copies the value on every update, even when no snapshot shares it
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
        // One more handle to the same value; the lock is held only to copy the handle.
        Arc::clone(&self.current.lock().expect("a writer panicked"))
    }

    /// Changes the value. The value is copied first only if a snapshot of it is out.
    pub fn update(&self, change: impl FnOnce(&mut T)) {
        let mut current = self.current.lock().unwrap();
        let mut value = T::clone(&current);
        change(&mut value);
        *current = Arc::new(value);
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
