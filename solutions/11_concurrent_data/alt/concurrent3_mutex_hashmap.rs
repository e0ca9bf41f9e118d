// ALT: one Mutex around a HashMap: correct, every add locks the whole map

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::thread;

/// Counts per key, shared by any number of threads.
pub struct Tally<K> {
    counts: Mutex<HashMap<K, u64>>,
}

impl<K: Eq + Hash> Tally<K> {
    pub fn new() -> Self {
        Tally {
            counts: Mutex::new(HashMap::new()),
        }
    }

    /// Adds `amount` to `key`'s count (a new key starts at 0).
    pub fn add(&self, key: K, amount: u64) {
        *self.counts.lock().unwrap().entry(key).or_insert(0) += amount;
    }

    /// `key`'s count (0 if it was never added).
    pub fn get<Q>(&self, key: &Q) -> u64
    where
        K: Borrow<Q>,
        Q: Eq + Hash + ?Sized,
    {
        self.counts.lock().unwrap().get(key).copied().unwrap_or(0)
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
