//! # A memoising cache: each key computed once, other keys never held up (capstone)
//!
//! A cache of expensive results, shared by many threads, wants two things at once:
//!
//! - **each key computed exactly once**: when two threads ask for the same missing key at
//!   the same time, one computes and the other waits for its result (a check-then-insert
//!   computes it twice, as in `cbutils3`);
//! - **nobody else held up meanwhile**: threads asking for *other* keys, cached or not,
//!   must not wait for that computation. Computing under one big lock, or inside
//!   `DashMap::entry(..).or_insert_with(compute)` (which holds the shard's write lock while
//!   `compute` runs) blocks every key behind it, or every key of its shard.
//!
//! The shape that gives both: the map holds a *cell per key*, `Arc<OnceLock<V>>`. Take
//! the key's cell from the map (the shard is locked only for that moment), then
//! `cell.get_or_init(compute)` outside the map: the first caller computes, later callers
//! of the same key block on that cell alone, and every other key goes on.
//!
//! - std: <https://doc.rust-lang.org/std/sync/struct.OnceLock.html#method.get_or_init>
//! - dashmap: <https://docs.rs/dashmap/6/dashmap/mapref/entry/enum.Entry.html#method.or_default>
//! - rust_howto, concurrent data structures:
//!   <https://john-cd.com/rust_howto/categories/concurrency/concurrent_data_structures.html>

use dashmap::DashMap;
use std::hash::Hash;
use std::sync::{Arc, OnceLock};

/// Computed values by key, shared by any number of threads.
pub struct Memo<K, V> {
    cells: DashMap<K, Arc<OnceLock<V>>>,
}

impl<K: Eq + Hash + Clone, V: Clone> Memo<K, V> {
    pub fn new() -> Self {
        Memo {
            cells: DashMap::new(),
        }
    }

    /// `key`'s value, computed by `compute` if nobody has yet. However many threads ask
    /// at once, `compute` runs once per key; the others wait for its result.
    pub fn get_or_compute(&self, key: K, compute: impl FnOnce(&K) -> V) -> V {
        // TODO: `compute` runs inside `or_insert_with`, while `entry` holds the shard's
        // write lock: every key of that shard waits for it. Take the key's cell out of the
        // map first, and compute outside it.
        let cell = self
            .cells
            .entry(key.clone())
            .or_insert_with(|| Arc::new(OnceLock::from(compute(&key))))
            .clone();
        cell.get().expect("set when inserted").clone()
    }

    /// How many keys have a value, or are being computed.
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }
}

impl<K: Eq + Hash + Clone, V: Clone> Default for Memo<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

fn main() {
    let memo = Memo::new();
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                for n in [10_u64, 20, 10, 30] {
                    let value = memo.get_or_compute(n, |&n| {
                        println!("computing {n}");
                        (1..=n).sum::<u64>()
                    });
                    assert_eq!(value, n * (n + 1) / 2);
                }
            });
        }
    });
    println!("{} keys, each computed once", memo.len());
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::Hasher;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::thread;
    use threadlings_testkit::{Gate, Running};

    /// A key whose hash is the same for every key: all keys share one shard of a
    /// `DashMap`, as unlucky keys would.
    #[derive(Debug, Clone, PartialEq, Eq)]
    struct Crowded(u32);

    impl Hash for Crowded {
        fn hash<H: Hasher>(&self, state: &mut H) {
            state.write_u8(0);
        }
    }

    /// A memo whose first computation of key 1 is held at `gate`, on a thread of its
    /// own; returns that thread once it is held.
    fn computing_key_1(
        memo: &Arc<Memo<Crowded, u32>>,
        gate: &Arc<Gate>,
        computed: &Arc<AtomicUsize>,
    ) -> thread::JoinHandle<u32> {
        let first = {
            let (memo, gate, computed) = (Arc::clone(memo), Arc::clone(gate), Arc::clone(computed));
            thread::spawn(move || {
                memo.get_or_compute(Crowded(1), |_| {
                    computed.fetch_add(1, Ordering::SeqCst);
                    gate.wait();
                    10
                })
            })
        };
        gate.wait_for_held(1, "get_or_compute never called compute on a miss");
        first
    }

    #[test]
    fn racing_callers_of_one_key_compute_it_once() {
        let memo = Arc::new(Memo::new());
        let gate = Arc::new(Gate::new("the first computation of key 1"));
        let _release = gate.open_on_drop();
        let computed = Arc::new(AtomicUsize::new(0));
        let first = computing_key_1(&memo, &gate, &computed);
        let second = {
            let (memo, computed) = (Arc::clone(&memo), Arc::clone(&computed));
            Running::spawn("a second caller of key 1", move || {
                memo.get_or_compute(Crowded(1), |_| {
                    computed.fetch_add(1, Ordering::SeqCst);
                    20
                })
            })
        };
        second.until_blocked(
            "key 1 was being computed",
            "it must wait for that computation instead of computing the key again",
        );
        gate.open();
        assert_eq!(first.join().unwrap(), 10);
        assert_eq!(second.join(), 10, "both callers get the one computed value");
        assert_eq!(
            computed.load(Ordering::SeqCst),
            1,
            "key 1 was computed twice"
        );
    }

    #[test]
    fn other_keys_are_not_held_up_by_a_computation() {
        let memo = Arc::new(Memo::new());
        memo.get_or_compute(Crowded(3), |_| 30);
        let gate = Arc::new(Gate::new("the first computation of key 1"));
        let _release = gate.open_on_drop();
        let computed = Arc::new(AtomicUsize::new(0));
        let first = computing_key_1(&memo, &gate, &computed);
        let others = {
            let memo = Arc::clone(&memo);
            Running::spawn("callers of other keys", move || {
                let missing = memo.get_or_compute(Crowded(2), |_| 20);
                let cached = memo.get_or_compute(Crowded(3), |_| panic!("3 is cached"));
                (missing, cached)
            })
        };
        others.until_finished(
            "they waited for key 1's computation: hold no lock (no map guard) while \
             `compute` runs; only callers of the same key may wait",
        );
        assert_eq!(others.join(), (20, 30));
        gate.open();
        assert_eq!(first.join().unwrap(), 10);
        assert_eq!(memo.len(), 3);
    }

    #[test]
    fn a_cached_value_is_never_computed_again() {
        let memo = Memo::new();
        assert!(memo.is_empty());
        assert_eq!(memo.get_or_compute("a", |key| key.len()), 1);
        assert_eq!(
            memo.get_or_compute("a", |_| panic!("`a` is cached: no second computation")),
            1
        );
        assert_eq!(memo.get_or_compute("bb", |key| key.len()), 2);
        assert_eq!(memo.len(), 2);
    }

    #[test]
    fn many_threads_many_keys_one_computation_each() {
        let memo = Memo::new();
        let computations: Vec<AtomicUsize> = (0..16).map(|_| AtomicUsize::new(0)).collect();
        thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| {
                    for key in 0..16_usize {
                        let value = memo.get_or_compute(key, |&key| {
                            computations[key].fetch_add(1, Ordering::SeqCst);
                            key * 10
                        });
                        assert_eq!(value, key * 10);
                    }
                });
            }
        });
        for (key, count) in computations.iter().enumerate() {
            assert_eq!(count.load(Ordering::SeqCst), 1, "key {key}");
        }
    }
}
