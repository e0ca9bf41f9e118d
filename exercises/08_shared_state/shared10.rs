//! # Capstone: a shared, read-mostly store with statistics
//!
//! Request handlers on many threads share one in-memory store: they read it all the time,
//! and now and then compute a missing value (slowly: a database query, a rendering) and
//! store it. Everything from this topic meets here:
//!
//! - the handlers share the store through an `Arc`;
//! - reads are many and writes rare: an `RwLock`, so that readers never wait for readers;
//! - a slow computation must not hold any lock: readers, and callers for other keys, go on
//!   meanwhile (drop the guard before the slow work);
//! - so two callers may compute the same missing key at once. The first to store wins,
//!   and both return the stored value: look again under the write lock (`entry` API)
//!   instead of overwriting, or one caller returns a value the store does not hold;
//! - the statistics (hits, misses, computations) must be exact under contention.
//!
//! - std, `RwLock`: <https://doc.rust-lang.org/std/sync/struct.RwLock.html>
//! - std, `HashMap::entry`: <https://doc.rust-lang.org/std/collections/struct.HashMap.html#method.entry>
//! - rust_howto, shared state:
//!   <https://john-cd.com/rust_howto/categories/concurrency/shared_state.html>

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
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
    // TODO: read-mostly data: a lock that lets readers in together.
    entries: Mutex<HashMap<String, String>>,
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
        // TODO: readers wait for each other here.
        let entries = self.entries.lock().unwrap();
        let value = entries.get(key);
        self.count(value.is_some());
        read(value)
    }

    /// The value for `key`. When it is missing, runs `compute` with no lock held, then
    /// stores the result, unless another caller stored a value first: then that value is
    /// kept, and returned. Counts a hit or a miss, and each computation.
    pub fn get_or_compute(&self, key: &str, compute: impl FnOnce() -> String) -> String {
        // TODO: the whole store stays locked while `compute` runs.
        let mut entries = self.entries.lock().unwrap();
        if let Some(value) = entries.get(key) {
            self.count(true);
            return value.clone();
        }
        self.count(false);
        let computed = compute();
        self.stats.lock().unwrap().computed += 1;
        entries.insert(key.to_string(), computed.clone());
        computed
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

#[cfg(test)]
mod tests {
    use super::*;
    use threadlings_testkit::{Gate, Rendezvous, Running, Waited, Watch};

    #[test]
    fn readers_read_at_the_same_time() {
        const READERS: usize = 4;
        let store = Arc::new(Store::new());
        store.get_or_compute("home", || "<h1>home</h1>".to_string());
        let meeting = Arc::new(Rendezvous::new(
            READERS,
            "the readers took turns inside `read`: use an RwLock's read guard, which many \
             readers hold at once",
        ));
        let readers: Vec<_> = (0..READERS)
            .map(|_| {
                let (store, meeting) = (Arc::clone(&store), Arc::clone(&meeting));
                thread::spawn(move || {
                    store.read("home", |value| {
                        meeting.arrive();
                        value.cloned()
                    })
                })
            })
            .collect();
        let mut panics: Vec<_> = Vec::new();
        for reader in readers {
            match reader.join() {
                Ok(value) => assert_eq!(value.as_deref(), Some("<h1>home</h1>")),
                Err(panic) => panics.push(panic),
            }
        }
        // The rendezvous's message says what went wrong; the others' panics followed it.
        panics.sort_by_key(|panic| {
            !panic
                .downcast_ref::<String>()
                .is_some_and(|message| message.contains("at the same time"))
        });
        if let Some(panic) = panics.into_iter().next() {
            std::panic::resume_unwind(panic);
        }
    }

    #[test]
    fn a_slow_computation_holds_up_no_one() {
        let store = Arc::new(Store::new());
        store.get_or_compute("about", || "<h1>about</h1>".to_string());
        let gate = Arc::new(Gate::new("the slow computation of \"home\""));
        let _release = gate.open_on_drop();
        let slow = {
            let (store, gate) = (Arc::clone(&store), Arc::clone(&gate));
            thread::spawn(move || {
                store.get_or_compute("home", || {
                    gate.wait();
                    "<h1>home</h1>".to_string()
                })
            })
        };
        gate.wait_for_held(
            1,
            "`get_or_compute` never called `compute` for a missing key",
        );
        let others = {
            let store = Arc::clone(&store);
            Running::spawn("other callers", move || {
                let about = store.read("about", |value| value.cloned());
                let contact = store.get_or_compute("contact", || "<h1>contact</h1>".to_string());
                (about, contact, store.stats())
            })
        };
        others.until_finished(
            "while one caller computes a missing value, no lock may be held: readers and \
             callers for other keys must go on (compute first, then take the write lock)",
        );
        let (about, contact, _) = others.join();
        assert_eq!(about.as_deref(), Some("<h1>about</h1>"));
        assert_eq!(contact, "<h1>contact</h1>");
        gate.open();
        assert_eq!(
            slow.join().expect("the slow caller panicked"),
            "<h1>home</h1>"
        );
    }

    #[test]
    fn racing_computations_of_one_key_return_the_stored_value() {
        let store = Arc::new(Store::new());
        let gate = Arc::new(Gate::new("the first computation of \"home\""));
        let _release = gate.open_on_drop();
        let first = {
            let (store, gate) = (Arc::clone(&store), Arc::clone(&gate));
            thread::spawn(move || {
                store.get_or_compute("home", || {
                    gate.wait();
                    "first".to_string()
                })
            })
        };
        gate.wait_for_held(
            1,
            "`get_or_compute` never called `compute` for a missing key",
        );
        // A second caller for the same key: it may compute too (and store first), or wait
        // for the first computation, blocked. Either way both must agree in the end.
        let watch = Watch::start();
        let second = {
            let store = Arc::clone(&store);
            thread::spawn(move || store.get_or_compute("home", || "second".to_string()))
        };
        if let Waited::Busy(seen) = watch.wait(&|| second.is_finished()) {
            panic!("the second caller did not wait blocked: {seen}");
        }
        gate.open();
        let first = first.join().expect("the first caller panicked");
        let second = second.join().expect("the second caller panicked");
        let stored = store.read("home", |value| value.cloned());
        assert_eq!(
            (first.as_str(), stored.as_deref()),
            (second.as_str(), Some(second.as_str())),
            "two callers raced to compute one key and got different values, or a value \
             the store does not hold: under the write lock, keep a value another caller \
             stored first (`entry(..).or_insert(..)`) and return what is stored"
        );
    }

    #[test]
    fn statistics_are_exact_under_contention() {
        const THREADS: usize = 8;
        let store = Arc::new(Store::new());
        for key in 0..10 {
            store.get_or_compute(&format!("k{key}"), || format!("v{key}"));
        }
        let handles: Vec<_> = (0..THREADS)
            .map(|_| {
                let store = Arc::clone(&store);
                thread::spawn(move || {
                    for lookup in 0..100 {
                        // k0..k9 are there, k10..k19 are not: 50 hits, 50 misses.
                        store.read(&format!("k{}", lookup % 20), |_| ());
                    }
                })
            })
            .collect();
        for handle in handles {
            handle.join().expect("a reader panicked");
        }
        assert_eq!(
            store.stats(),
            Stats {
                hits: 400,
                misses: 410,
                computed: 10,
            }
        );
    }

    #[test]
    fn a_stored_value_is_not_computed_again() {
        let store = Store::new();
        assert_eq!(store.get_or_compute("home", || "one".to_string()), "one");
        assert_eq!(
            store.get_or_compute("home", || panic!("computed a stored value again")),
            "one"
        );
        assert_eq!(
            store.read("home", |value| value.cloned()).as_deref(),
            Some("one")
        );
        assert!(store.read("away", |value| value.is_none()));
        assert_eq!(
            store.stats(),
            Stats {
                hits: 2,
                misses: 2,
                computed: 1,
            }
        );
    }
}
