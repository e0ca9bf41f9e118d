// ALT: `parking_lot::RwLock`: no poisoning, the guards come straight from `read()` and `write()`
use parking_lot::RwLock;
use std::collections::HashMap;
use std::sync::Arc;
use std::thread;

/// A phone directory: looked up all the time, changed now and then.
#[derive(Debug, Default)]
pub struct Directory {
    entries: RwLock<HashMap<String, String>>,
}

impl Directory {
    pub fn new() -> Directory {
        Directory::default()
    }

    /// Runs `read` on the entries and returns its result. Any number of readers may be
    /// inside `read` at once; a writer waits until they are all done.
    pub fn read<R>(&self, read: impl FnOnce(&HashMap<String, String>) -> R) -> R {
        let entries = self.entries.read();
        read(&entries)
    }

    /// The number for `name`, if any.
    pub fn lookup(&self, name: &str) -> Option<String> {
        self.read(|entries| entries.get(name).cloned())
    }

    /// Sets the number for `name`; returns the previous one. Waits until no reader is
    /// inside `read`, and keeps them out while it writes.
    pub fn insert(&self, name: &str, number: &str) -> Option<String> {
        let mut entries = self.entries.write();
        entries.insert(name.to_string(), number.to_string())
    }
}

fn main() {
    let directory = Arc::new(Directory::new());
    directory.insert("ada", "555-0101");
    directory.insert("grace", "555-0199");
    let readers: Vec<_> = ["ada", "grace", "alan"]
        .into_iter()
        .map(|name| {
            let directory = Arc::clone(&directory);
            thread::spawn(move || (name, directory.lookup(name)))
        })
        .collect();
    for reader in readers {
        let (name, number) = reader.join().expect("a reader panicked");
        println!("{name}: {number:?}");
    }
    println!("{} entries", directory.read(HashMap::len));
}
