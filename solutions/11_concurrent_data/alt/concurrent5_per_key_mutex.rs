// ALT: a Mutex<Option<V>> per key instead of a OnceLock: the first caller computes under the key's own lock

use dashmap::DashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

/// Computed values by key, shared by any number of threads.
pub struct Memo<K, V> {
    cells: DashMap<K, Arc<Mutex<Option<V>>>>,
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
        let cell = Arc::clone(&self.cells.entry(key.clone()).or_default());
        // Only callers of this key wait for this lock.
        let mut value = cell.lock().unwrap();
        value.get_or_insert_with(|| compute(&key)).clone()
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
