// ALT: one Mutex around a HashMap of cells, held only to fetch the key's cell: the same per-key cells without DashMap

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, OnceLock};

/// Computed values by key, shared by any number of threads.
pub struct Memo<K, V> {
    cells: Mutex<HashMap<K, Arc<OnceLock<V>>>>,
}

impl<K: Eq + Hash + Clone, V: Clone> Memo<K, V> {
    pub fn new() -> Self {
        Memo {
            cells: Mutex::new(HashMap::new()),
        }
    }

    /// `key`'s value, computed by `compute` if nobody has yet. However many threads ask
    /// at once, `compute` runs once per key; the others wait for its result.
    pub fn get_or_compute(&self, key: K, compute: impl FnOnce(&K) -> V) -> V {
        // The map's lock is released at the end of this statement, before computing.
        let cell = Arc::clone(self.cells.lock().unwrap().entry(key.clone()).or_default());
        cell.get_or_init(|| compute(&key)).clone()
    }

    /// How many keys have a value, or are being computed.
    pub fn len(&self) -> usize {
        self.cells.lock().unwrap().len()
    }

    pub fn is_empty(&self) -> bool {
        self.cells.lock().unwrap().is_empty()
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
