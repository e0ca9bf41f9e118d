// ALT: the statistics in atomic counters instead of a Mutex<Stats>
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
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
    // Counters need no lock: each `fetch_add` is one indivisible step.
    hits: AtomicU64,
    misses: AtomicU64,
    computed: AtomicU64,
}

impl Store {
    pub fn new() -> Store {
        Store::default()
    }

    fn count(&self, hit: bool) {
        let counter = if hit { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
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
        if let Some(value) = self.read(key, |value| value.cloned()) {
            return value;
        }
        // No guard is alive here: the slow part holds up nobody.
        let computed = compute();
        self.computed.fetch_add(1, Ordering::Relaxed);
        let mut entries = self.entries.write().expect("a writer panicked");
        // Another caller may have stored this key while we computed: the first one wins.
        entries.entry(key.to_string()).or_insert(computed).clone()
    }

    /// The statistics so far.
    pub fn stats(&self) -> Stats {
        // Relaxed: each counter is exact on its own; nothing else is published with them.
        Stats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            computed: self.computed.load(Ordering::Relaxed),
        }
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
