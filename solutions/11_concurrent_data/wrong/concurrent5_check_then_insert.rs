// WRONG: looks the key up, computes on a miss with no lock held, then inserts: two callers that miss at once both compute

use dashmap::DashMap;
use std::hash::Hash;

/// Computed values by key, shared by any number of threads.
pub struct Memo<K, V> {
    cells: DashMap<K, V>,
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
        if let Some(value) = self.cells.get(&key) {
            return value.clone();
        }
        let value = compute(&key);
        // The first value inserted wins, so every caller agrees on it.
        self.cells.entry(key).or_insert(value).clone()
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
