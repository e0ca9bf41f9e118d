//! # Counting across threads with `DashMap`: one call per update
//!
//! `dashmap::DashMap<K, V>` is a hash map that many threads share by reference
//! (`&DashMap`, no `Mutex` around it): it is split into shards, each with its own lock,
//! and each call locks only the shard of its key, only for the length of the call.
//!
//! That last part is the trap. `let n = *map.get(&k).unwrap_or(..);` then
//! `map.insert(k, n + 1)` is two calls, two lock-and-unlocks: between them another thread
//! can update the same key, and one update is lost. `get_mut` then `insert` on a missing
//! key has the same window (two threads both see it missing and both insert). The entry
//! API does the whole read-modify-write under one lock: `*map.entry(k).or_insert(0) +=
//! n` finds or creates the entry and updates it before anybody else can look.
//!
//! The tests make the race happen every time: a `DashMap` hashes the key at the start of
//! every call, before it takes a lock, and the tests' key pauses there while another
//! thread updates the same word.
//!
//! - dashmap: <https://docs.rs/dashmap/6/dashmap/struct.DashMap.html#method.entry>
//! - rust_howto, concurrent data structures:
//!   <https://john-cd.com/rust_howto/categories/concurrency/concurrent_data_structures.html>

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
        // One call: `entry` locks the key's shard, finds or inserts the count and updates
        // it, and unlocks when the `RefMut` it returns is dropped, at the end of the line.
        *self.counts.entry(key).or_insert(0) += amount;
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::Hasher;
    use std::panic::{self, AssertUnwindSafe};
    use std::sync::{Arc, Mutex, mpsc};
    use threadlings_testkit::{Waited, Watch};

    /// The name of the thread whose key pauses.
    const PAUSING: &str = "pausing adder";

    /// What the pausing thread tells the test.
    enum Step {
        Paused,
        Done,
    }

    /// Where a pausing key reports and waits.
    struct Pause {
        at: Mutex<mpsc::Sender<Step>>,
        go: Mutex<mpsc::Receiver<()>>,
    }

    /// A word whose hashing pauses its thread (the `PAUSING` one) until the test lets it
    /// go. The map hashes a key at the start of each call, before it locks anything: a
    /// pause there sits between two map calls.
    #[derive(Clone)]
    struct Word {
        text: &'static str,
        pause: Option<Arc<Pause>>,
    }

    impl Word {
        fn plain(text: &'static str) -> Word {
            Word { text, pause: None }
        }
    }

    impl PartialEq for Word {
        fn eq(&self, other: &Word) -> bool {
            self.text == other.text
        }
    }

    impl Eq for Word {}

    impl Hash for Word {
        fn hash<H: Hasher>(&self, state: &mut H) {
            if let Some(pause) = &self.pause
                && thread::current().name() == Some(PAUSING)
            {
                pause.at.lock().unwrap().send(Step::Paused).unwrap();
                pause.go.lock().unwrap().recv().unwrap();
            }
            self.text.hash(state);
        }
    }

    /// Adds 1 to `text` on a thread that pauses each time the map hashes its key. At its
    /// `nth` pause, another thread adds 1 to the same word from start to end. Returns how
    /// many adds that other thread made (0 if there was no `nth` pause, else 1).
    fn add_overtaken_at(tally: &Arc<Tally<Word>>, text: &'static str, nth: usize) -> u64 {
        let (at_tx, at_rx) = mpsc::channel();
        let (go_tx, go_rx) = mpsc::channel();
        let pause = Pause {
            at: Mutex::new(at_tx.clone()),
            go: Mutex::new(go_rx),
        };
        let key = Word {
            text,
            pause: Some(Arc::new(pause)),
        };
        let pausing = {
            let tally = Arc::clone(tally);
            thread::Builder::new()
                .name(PAUSING.to_owned())
                .spawn(move || {
                    let added = panic::catch_unwind(AssertUnwindSafe(|| tally.add(key, 1)));
                    at_tx.send(Step::Done).unwrap();
                    added
                })
                .unwrap()
        };
        let (mut pauses, mut others) = (0, Vec::new());
        while let Step::Paused = at_rx.recv().unwrap() {
            pauses += 1;
            if pauses == nth {
                let watch = Watch::start();
                let other = {
                    let tally = Arc::clone(tally);
                    thread::spawn(move || tally.add(Word::plain(text), 1))
                };
                // Finished: the other add went through while the first one was between
                // two calls. Blocked: it waits for a lock the paused call holds, fine.
                if let Waited::Busy(seen) = watch.wait_finished(&|| other.is_finished()) {
                    panic!("another add of the same word never finished: {seen}");
                }
                others.push(other);
            }
            go_tx.send(()).unwrap();
        }
        if let Err(panic) = pausing.join().unwrap() {
            panic::resume_unwind(panic);
        }
        let overtaken = others.len() as u64;
        for other in others {
            other.join().unwrap();
        }
        overtaken
    }

    #[test]
    fn an_add_overtaken_between_two_map_calls_loses_nothing() {
        for nth in 1..=3 {
            let tally = Arc::new(Tally::new());
            tally.add(Word::plain("apple"), 5);
            let overtaken = add_overtaken_at(&tally, "apple", nth);
            assert_eq!(
                tally.get(&Word::plain("apple")),
                5 + 1 + overtaken,
                "another thread added to the same word while `add` was between two map calls \
                 (at its call number {nth}), and an update was lost: read and write the count \
                 in one call, with the entry API"
            );
        }
    }

    #[test]
    fn two_first_adds_of_a_new_word_both_count() {
        for nth in 1..=3 {
            let tally = Arc::new(Tally::new());
            let overtaken = add_overtaken_at(&tally, "pear", nth);
            assert_eq!(
                tally.get(&Word::plain("pear")),
                1 + overtaken,
                "two threads added a new word, and one insert overwrote the other (the second \
                 thread ran before `add`'s call number {nth}): the entry API inserts or \
                 updates in one call"
            );
        }
    }

    #[test]
    fn adds_add_up_per_key() {
        let tally = Tally::new();
        tally.add("a", 2);
        tally.add("b", 1);
        tally.add("a", 3);
        assert_eq!((tally.get("a"), tally.get("b"), tally.get("c")), (5, 1, 0));
    }

    #[test]
    fn count_words_counts_every_word_of_every_text() {
        let texts = ["to be or not to be"; 8];
        let tally = count_words(&texts);
        assert_eq!(tally.get("to"), 16);
        assert_eq!(tally.get("be"), 16);
        assert_eq!(tally.get("not"), 8);
        assert_eq!(tally.get("question"), 0);
    }
}
