// WRONG: takes the write lock in `read_with` too, so readers take turns
//! # A read-mostly cache behind a `ShardedLock` (capstone)
//!
//! A cache is read far more often than written. A `Mutex` would make every reader wait
//! for every other; a readers-writer lock lets any number of readers in at once, and a
//! writer alone. `crossbeam::sync::ShardedLock` is one tuned for reads: each reader only
//! touches its own shard, so reads do not fight over one counter, while a writer must
//! lock every shard, so writes cost more. Reach for it when reads dominate.
//!
//! Two classic mistakes. Upgrading: asking for `write()` while still holding a `read()`
//! guard deadlocks, since the writer waits for all readers, ourselves included. And
//! check-then-act: after a miss you drop the read guard and compute (without any lock, so
//! that others keep reading); by the time you take the write lock, another thread may
//! have inserted the same key. Check again under the write lock, and keep the first
//! value, so that every caller sees the same one.
//!
//! `compute_all` puts it together with scoped threads (topic 2): chunks of keys, one
//! scoped worker per chunk, all sharing one `&Memo`.
//!
//! - crossbeam: <https://docs.rs/crossbeam/0.8/crossbeam/sync/struct.ShardedLock.html>
//! - std: <https://doc.rust-lang.org/std/sync/struct.RwLock.html>,
//!   <https://doc.rust-lang.org/std/collections/hash_map/enum.Entry.html>
//! - Rust Atomics and Locks, ch. 1, reader-writer locks:
//!   <https://marabos.nl/atomics/basics.html#rwlock>

use crossbeam::sync::ShardedLock;
use std::collections::HashMap;
use std::hash::Hash;
use std::panic;
use std::thread;

/// A cache of computed values, shared by reference between threads.
#[derive(Debug, Default)]
pub struct Memo<K, V> {
    map: ShardedLock<HashMap<K, V>>,
}

impl<K: Eq + Hash, V: Clone> Memo<K, V> {
    /// An empty cache.
    pub fn new() -> Self {
        Memo {
            map: ShardedLock::new(HashMap::new()),
        }
    }

    /// Runs `f` on the cached map under a read lock: any number of threads may be in
    /// `read_with` at the same time.
    pub fn read_with<R>(&self, f: impl FnOnce(&HashMap<K, V>) -> R) -> R {
        let map = self
            .map
            .write()
            .expect("a writer panicked while holding the lock");
        f(&map)
    }

    /// The cached value for `key`, if any.
    pub fn get(&self, key: &K) -> Option<V> {
        self.read_with(|map| map.get(key).cloned())
    }

    /// The cached value for `key`, computing it with `compute` on a miss.
    ///
    /// `compute` runs with no lock held, so that other threads keep reading meanwhile; two
    /// threads that miss the same key may both compute it. The first value inserted wins:
    /// every caller gets that value, and a later one is thrown away.
    pub fn get_or_compute(&self, key: K, compute: impl FnOnce() -> V) -> V {
        // The read guard lives only inside this call: it is gone before we compute, and
        // long gone before we ask for the write lock (holding it there would deadlock).
        if let Some(value) = self.get(&key) {
            return value;
        }
        let value = compute();
        let mut map = self
            .map
            .write()
            .expect("a writer panicked while holding the lock");
        // Check again: another thread may have inserted `key` while we computed. `entry`
        // keeps its value if so, and inserts ours only if the key is still missing.
        map.entry(key).or_insert(value).clone()
    }
}

/// Looks up every key in `memo`, computing the missing ones with `compute`. The keys are
/// split evenly into `min(workers, keys.len())` chunks, each looked up on its own scoped
/// thread, all at the same time. Returns the values in key order.
///
/// # Panics
/// If `workers` is 0, or (with its message) if `compute` panics.
pub fn compute_all<F>(memo: &Memo<u64, u64>, keys: &[u64], workers: usize, compute: F) -> Vec<u64>
where
    F: Fn(u64) -> u64 + Sync,
{
    assert!(workers > 0, "compute_all needs at least one worker");
    if keys.is_empty() {
        return Vec::new();
    }
    // The even split of scoped2: min(workers, len) chunks, lengths differing by one at most.
    let chunks = workers.min(keys.len());
    let (base, extra) = (keys.len() / chunks, keys.len() % chunks);
    let compute = &compute;
    let mut rest = keys;
    thread::scope(|scope| {
        let handles: Vec<_> = (0..chunks)
            .map(|index| {
                let (chunk, tail) = rest.split_at(base + usize::from(index < extra));
                rest = tail;
                // Every worker shares the one `&Memo`: the lock inside makes that safe.
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|&key| memo.get_or_compute(key, || compute(key)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|panic| panic::resume_unwind(panic))
            })
            .collect()
    })
}

fn main() {
    let memo = Memo::new();
    let slow_square = |n: u64| {
        println!("  computing {n}² on {:?}", thread::current().id());
        n * n
    };
    println!("first pass:");
    let first = compute_all(&memo, &[3, 1, 4, 1, 5, 9, 2, 6], 3, slow_square);
    println!("squares: {first:?}");
    println!("second pass, everything cached:");
    let second = compute_all(&memo, &[9, 6, 5, 3], 2, slow_square);
    println!("squares: {second:?}");
}
