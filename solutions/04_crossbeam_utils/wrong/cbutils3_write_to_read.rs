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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use threadlings_testkit::{Gate, Running};

    /// Runs `f` on a watched thread and returns its result; fails with `stuck` at once if
    /// the thread deadlocks.
    fn finishing<T: Send + 'static>(stuck: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
        let running = Running::spawn("the code", f);
        running.until_finished(stuck);
        running.join()
    }

    /// Runs `f` on a watched thread while the callbacks it calls wait at `gate`; once the
    /// thread and everything it started is blocked, checks that `expected` callbacks are
    /// waiting together, then opens the gate and returns `f`'s result.
    fn held_together<T: Send + 'static>(
        gate: &Gate,
        expected: usize,
        mistake: &str,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> T {
        let running = Running::spawn("the code", f);
        running.until_blocked("its callbacks were held at the gate", "block on the lock");
        let waiting = gate.waiting();
        gate.open();
        assert_eq!(
            waiting, expected,
            "only {waiting} of {expected} threads got there at the same time: {mistake}"
        );
        running.until_finished(
            "it never returned once the gate was open: does get_or_compute ask for the \
             write lock while it still holds a read guard?",
        );
        running.join()
    }

    #[test]
    fn a_miss_computes_and_a_hit_reuses() {
        let memo = Arc::new(Memo::new());
        let value = {
            let memo = Arc::clone(&memo);
            finishing(
                "get_or_compute never returned on a miss: does it still hold the read guard \
                 when it asks for the write lock?",
                move || memo.get_or_compute("answer", || 42),
            )
        };
        assert_eq!(value, 42);
        assert_eq!(memo.get(&"answer"), Some(42));
        assert_eq!(
            memo.get_or_compute("answer", || panic!("a hit must not compute again")),
            42
        );
    }

    #[test]
    fn readers_share_the_lock() {
        let gate = Arc::new(Gate::new("the readers"));
        let _release = gate.open_on_drop();
        let held = Arc::clone(&gate);
        held_together(
            &gate,
            4,
            "the readers took turns: read_with must take a read lock, which any number of \
             threads may hold at once",
            move || {
                let memo: Memo<u8, u8> = Memo::new();
                thread::scope(|scope| {
                    for _ in 0..4 {
                        scope.spawn(|| memo.read_with(|_| held.wait()));
                    }
                });
            },
        );
    }

    #[test]
    fn racing_misses_agree_on_one_value() {
        // Two threads miss the same key and compute it at the same time: both are held
        // inside `compute` (only possible with no lock held) until the test lets them go.
        // Each computes a different value: both callers must end up with the one that
        // was inserted first.
        let memo = Arc::new(Memo::new());
        let gate = Arc::new(Gate::new("the two computations"));
        let _release = gate.open_on_drop();
        let (racing_memo, held) = (Arc::clone(&memo), Arc::clone(&gate));
        let (first, second) = held_together(
            &gate,
            2,
            "the two computations could not overlap: compute must run with no lock held",
            move || {
                thread::scope(|scope| {
                    let racer = |value: u32| {
                        let (memo, held) = (&racing_memo, &held);
                        scope.spawn(move || {
                            memo.get_or_compute("key", || {
                                held.wait();
                                value
                            })
                        })
                    };
                    let (first, second) = (racer(1), racer(2));
                    (first.join().unwrap(), second.join().unwrap())
                })
            },
        );
        assert_eq!(
            first, second,
            "both callers must get the value that was inserted first: check the key again \
             under the write lock instead of overwriting it"
        );
        assert_eq!(
            memo.get(&"key"),
            Some(first),
            "the cache keeps the first value"
        );
    }

    #[test]
    fn compute_all_returns_values_in_key_order() {
        let memo = Arc::new(Memo::new());
        let keys = [5, 3, 5, 8, 1, 3, 2, 13, 21];
        let values = {
            let memo = Arc::clone(&memo);
            finishing(
                "compute_all never returned: does get_or_compute deadlock on a miss?",
                move || compute_all(&memo, &keys, 4, |n| n * 10),
            )
        };
        assert_eq!(values, [50, 30, 50, 80, 10, 30, 20, 130, 210]);
        assert_eq!(memo.get(&13), Some(130), "computed values stay cached");
        assert_eq!(
            compute_all(&memo, &[], 4, |_| panic!("no keys, nothing to compute")),
            []
        );
    }

    #[test]
    fn compute_all_spreads_the_keys_across_workers_at_the_same_time() {
        let gate = Arc::new(Gate::new("the first key of each chunk"));
        let _release = gate.open_on_drop();
        let held = Arc::clone(&gate);
        let values = held_together(
            &gate,
            3,
            "the chunks of keys were not looked up at the same time: spawn one scoped \
             thread per chunk and keep their handles before joining any",
            move || {
                compute_all(&Memo::new(), &[1, 2, 3, 4, 5, 6], 3, |n| {
                    if n % 2 == 1 {
                        // The first key of each chunk: all three are held together.
                        held.wait();
                    }
                    n + 100
                })
            },
        );
        assert_eq!(values, [101, 102, 103, 104, 105, 106]);
    }

    #[test]
    fn more_workers_than_keys_is_fine() {
        let values = finishing(
            "compute_all never returned: does get_or_compute deadlock on a miss?",
            || compute_all(&Memo::new(), &[7, 7], 5, |n| n + 1),
        );
        assert_eq!(values, [8, 8]);
    }
}
