// WRONG: computes while still holding the read guard of its first look, so a writer (and with it every later reader) waits
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::thread;

/// What the store has seen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Lookups that found their key.
    pub hits: u64,
    /// Lookups that did not.
    pub misses: u64,
    /// Times a `compute` closure ran.
    pub computed: u64,
}

/// A store shared by many threads.
#[derive(Debug, Default)]
pub struct Store {
    entries: RwLock<HashMap<String, String>>,
    // A lock of its own: counting never waits for a writer of the entries.
    stats: Mutex<Stats>,
}

impl Store {
    pub fn new() -> Store {
        Store::default()
    }

    fn count(&self, hit: bool) {
        let mut stats = self.stats.lock().expect("a thread panicked while counting");
        if hit {
            stats.hits += 1;
        } else {
            stats.misses += 1;
        }
    }

    /// Runs `read` on the value for `key` (or `None`), under a read lock that any number
    /// of readers may hold at once. Counts a hit or a miss.
    pub fn read<R>(&self, key: &str, read: impl FnOnce(Option<&String>) -> R) -> R {
        let entries = self.entries.read().expect("a writer panicked");
        let value = entries.get(key);
        self.count(value.is_some());
        read(value)
    }

    /// The value for `key`. When it is missing, runs `compute` with no lock held, then
    /// stores the result, unless another caller stored a value first: then that value is
    /// kept, and returned. Counts a hit or a miss, and each computation.
    pub fn get_or_compute(&self, key: &str, compute: impl FnOnce() -> String) -> String {
        let entries = self.entries.read().unwrap();
        if let Some(value) = entries.get(key) {
            self.count(true);
            return value.clone();
        }
        self.count(false);
        let computed = compute();
        drop(entries);
        self.stats.lock().unwrap().computed += 1;
        let mut entries = self.entries.write().unwrap();
        entries.entry(key.to_string()).or_insert(computed).clone()
    }

    /// The statistics so far.
    pub fn stats(&self) -> Stats {
        *self.stats.lock().expect("a thread panicked while counting")
    }
}

fn main() {
    let store = Arc::new(Store::new());
    let handlers: Vec<_> = (0..4)
        .map(|handler| {
            let store = Arc::clone(&store);
            thread::spawn(move || {
                for page in ["home", "about", "home", "contact"] {
                    let html = store.get_or_compute(page, || format!("<h1>{page}</h1>"));
                    println!("handler {handler} served {html}");
                }
            })
        })
        .collect();
    for handler in handlers {
        handler.join().expect("a handler panicked");
    }
    println!("{:?}", store.stats());
}
