// WRONG: fills with no lock held, then inserts under the write lock if still missing: two threads can both fill
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

use parking_lot::RwLock;
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
        // Compute outside any lock, so nobody waits for `fill`.
        let value = fill(key);
        self.map.write().entry(key).or_insert(value).clone()
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
