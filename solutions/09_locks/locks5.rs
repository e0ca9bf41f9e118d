//! # parking_lot: upgradable reads, and locks that do not poison
//!
//! A cache fills a missing entry once: check, and if it is missing, compute and insert.
//! With a plain `RwLock` you pick your poison. Check under a read lock, let go, fill under
//! a write lock: two threads both see the entry missing and both fill it. Or hold the
//! write lock for the whole check-then-fill: one filler, but every reader waits for it,
//! even readers of entries that are already there.
//!
//! `parking_lot::RwLock` has a third kind of guard: `upgradable_read()`. It shares the lock
//! with plain readers, but only one thread at a time can hold it, and it can be turned into
//! a write guard (`RwLockUpgradableReadGuard::upgrade`) without letting go. So: look under
//! a read lock (the fast path for hits); on a miss take the upgradable guard, *look again*
//! (another filler may have finished meanwhile), fill, upgrade, insert. Hits never wait.
//!
//! parking_lot's locks also do not poison: if a thread panics while holding one, the lock
//! is simply released. `read()`, `write()` and `lock()` return guards, not `Result`s, so
//! there is no `.unwrap()`. With std's `RwLock`, a fill that panicked under the write lock
//! would make every later `.unwrap()` panic too.
//!
//! - parking_lot: <https://docs.rs/parking_lot/latest/parking_lot/type.RwLock.html>
//! - <https://docs.rs/parking_lot/latest/parking_lot/type.RwLockUpgradableReadGuard.html>
//! - rust_howto, shared state (parking_lot):
//!   <https://john-cd.com/rust_howto/categories/concurrency/shared_state.html>

use parking_lot::{RwLock, RwLockUpgradableReadGuard};
use std::collections::HashMap;

/// A cache of computed strings, filled on demand.
#[derive(Default)]
pub struct Cache {
    map: RwLock<HashMap<u32, String>>,
}

impl Cache {
    pub fn new() -> Self {
        Cache::default()
    }

    /// The value for `key`; on a miss, `fill(key)` computes it, exactly once however many
    /// threads ask at the same time, while lookups of other keys go on.
    pub fn get_or_fill(&self, key: u32, fill: impl FnOnce(u32) -> String) -> String {
        // The fast path: a hit needs only a shared read lock.
        if let Some(value) = self.map.read().get(&key) {
            return value.clone();
        }
        // A miss. Only one thread at a time holds the upgradable guard, and readers still
        // get in meanwhile.
        let map = self.map.upgradable_read();
        // Look again: another thread may have filled it between our two locks.
        if let Some(value) = map.get(&key) {
            return value.clone();
        }
        let value = fill(key);
        // Waits for the readers to leave, then writes; nobody else changed the map since
        // our check, since nobody else can hold an upgradable or write guard.
        let mut map = RwLockUpgradableReadGuard::upgrade(map);
        map.insert(key, value.clone());
        value
    }

    pub fn len(&self) -> usize {
        self.map.read().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn main() {
    let cache = Cache::new();
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                cache.get_or_fill(42, |key| {
                    println!("computing {key} (once)");
                    format!("the answer is {key}")
                })
            });
        }
    });
    println!("{}", cache.get_or_fill(42, |_| unreachable!()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::panic::{AssertUnwindSafe, catch_unwind};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::thread;
    use threadlings_testkit::{Gate, Running, Watch};

    #[test]
    fn only_one_thread_fills_a_missing_key() {
        // The first filler is held inside `fill`; a second thread asks for the same key
        // meanwhile. It must wait for the first one's value, not compute its own.
        let gate = Arc::new(Gate::new("the first fill"));
        let _release = gate.open_on_drop();
        let fills = Arc::new(AtomicUsize::new(0));
        let cache = Arc::new(Cache::new());
        let ask = |name: &str| {
            let (cache, gate, fills) = (cache.clone(), gate.clone(), fills.clone());
            thread::Builder::new()
                .name(name.to_owned())
                .spawn(move || {
                    cache.get_or_fill(7, |key| {
                        fills.fetch_add(1, Ordering::SeqCst);
                        gate.wait();
                        format!("seven is {key}")
                    })
                })
                .unwrap()
        };
        let first = ask("first");
        gate.wait_for_held(1, "the first thread never called `fill`");
        let watch = Watch::start();
        let second = ask("second");
        watch.until_blocked(
            &|| second.is_finished(),
            "the second thread",
            "key 7 was being filled by the first",
            "a thread that finds the key missing must wait for the filler (an upgradable \
             read), not return something else",
        );
        assert_eq!(
            gate.arrived(),
            1,
            "two threads filled key 7 at the same time: a read lock that is let go before the \
             write leaves a window; fill under `upgradable_read()`"
        );
        gate.open();
        assert_eq!(first.join().unwrap(), "seven is 7");
        assert_eq!(second.join().unwrap(), "seven is 7");
        assert_eq!(
            fills.load(Ordering::SeqCst),
            1,
            "key 7 was filled twice: once you hold the upgradable guard, look again before \
             you fill (another thread may have filled it meanwhile)"
        );
    }

    #[test]
    fn hits_are_served_while_a_fill_runs() {
        let gate = Arc::new(Gate::new("the fill of key 2"));
        let _release = gate.open_on_drop();
        let cache = Arc::new(Cache::new());
        cache.get_or_fill(1, |_| "one".to_owned());
        let filler = {
            let (cache, gate) = (cache.clone(), gate.clone());
            thread::spawn(move || {
                cache.get_or_fill(2, |_| {
                    gate.wait();
                    "two".to_owned()
                })
            })
        };
        gate.wait_for_held(1, "the filler never called `fill`");
        let reader = {
            let cache = cache.clone();
            Running::spawn("a lookup of key 1", move || {
                cache.get_or_fill(1, |_| panic!("key 1 is in the cache"))
            })
        };
        reader.until_finished(
            "a hit waited for a fill of another key: fill under `upgradable_read()`, which \
             lets readers in, not under `write()`, and look for hits under `read()` first",
        );
        assert_eq!(reader.join(), "one");
        gate.open();
        assert_eq!(filler.join().unwrap(), "two");
    }

    #[test]
    fn a_panicking_fill_leaves_the_cache_usable() {
        let cache = Cache::new();
        cache.get_or_fill(1, |_| "one".to_owned());
        let failed = catch_unwind(AssertUnwindSafe(|| {
            cache.get_or_fill(2, |_| panic!("the fill failed (on purpose, in the test)"))
        }));
        assert!(failed.is_err(), "the fill's panic reaches the caller");
        assert_eq!(cache.get_or_fill(1, |_| unreachable!()), "one");
        assert_eq!(cache.get_or_fill(2, |_| "two".to_owned()), "two");
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn a_filled_key_is_never_filled_again() {
        let cache = Cache::new();
        assert!(cache.is_empty());
        for key in 0..50 {
            assert_eq!(
                cache.get_or_fill(key % 10, |k| k.to_string()),
                (key % 10).to_string()
            );
        }
        assert_eq!(cache.len(), 10);
    }
}
