// ALT: an RwLock around the Arc (snapshots take the read lock), and copy-on-write by hand with `Arc::get_mut`
use std::sync::{Arc, RwLock};
use std::thread;

/// A value that many readers take snapshots of while writers change it.
#[derive(Debug, Default)]
pub struct Published<T> {
    current: RwLock<Arc<T>>,
}

impl<T: Clone> Published<T> {
    pub fn new(value: T) -> Published<T> {
        Published {
            current: RwLock::new(Arc::new(value)),
        }
    }

    /// The value now, as a snapshot that later updates never change. No copy is made.
    pub fn snapshot(&self) -> Arc<T> {
        Arc::clone(&self.current.read().unwrap())
    }

    /// Changes the value. The value is copied first only if a snapshot of it is out.
    pub fn update(&self, change: impl FnOnce(&mut T)) {
        let mut current = self.current.write().unwrap();
        match Arc::get_mut(&mut current) {
            Some(value) => change(value),
            None => {
                let mut copy = T::clone(&current);
                change(&mut copy);
                *current = Arc::new(copy);
            }
        }
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
