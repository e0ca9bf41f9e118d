// WRONG: get_mut, and insert when the key is missing: two threads can both find a new key missing, and one insert overwrites the other

use dashmap::DashMap;
use std::borrow::Borrow;
use std::hash::Hash;
use std::thread;

/// Counts per key, shared by any number of threads.
pub struct Tally<K> {
    counts: DashMap<K, u64>,
}

impl<K: Eq + Hash> Tally<K> {
    pub fn new() -> Self {
        Tally {
            counts: DashMap::new(),
        }
    }

    /// Adds `amount` to `key`'s count (a new key starts at 0).
    pub fn add(&self, key: K, amount: u64) {
        if let Some(mut count) = self.counts.get_mut(&key) {
            *count += amount;
            return;
        }
        self.counts.insert(key, amount);
    }

    /// `key`'s count (0 if it was never added).
    pub fn get<Q>(&self, key: &Q) -> u64
    where
        K: Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        self.counts.get(key).map_or(0, |count| *count)
    }
}

impl<K: Eq + Hash> Default for Tally<K> {
    fn default() -> Self {
        Self::new()
    }
}

/// Counts the words of `texts` (split on whitespace), one scoped thread per text, all
/// adding to one shared tally.
pub fn count_words(texts: &[&str]) -> Tally<String> {
    let tally = Tally::new();
    thread::scope(|scope| {
        for text in texts {
            let tally = &tally;
            scope.spawn(move || {
                for word in text.split_whitespace() {
                    tally.add(word.to_owned(), 1);
                }
            });
        }
    });
    tally
}

fn main() {
    let tally = count_words(&["the cat sat", "the dog sat", "the end"]);
    for word in ["the", "sat", "cat", "bird"] {
        println!("{word}: {}", tally.get(word));
    }
}
