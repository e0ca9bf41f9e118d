//! # `RwLock`: many readers or one writer
//!
//! A `Mutex` lets one thread in at a time, readers included. For data that is read all the
//! time and changed rarely (a configuration, a routing table, a directory), readers then
//! queue behind each other for no reason: reading does not change anything, so any number
//! of readers could look at once. What must not happen is a reader looking while a writer
//! changes the data.
//!
//! `RwLock<T>` allows exactly that: `read()` returns a `RwLockReadGuard` (`&T` only), and
//! any number of them may exist at once; `write()` returns a `RwLockWriteGuard` (`&mut T`),
//! and waits until no other guard of either kind exists. Reads only overlap while each
//! reader keeps its guard: copying the data out to "release the lock early" does not give
//! a reader a consistent view of anything but its own copy.
//!
//! - std, `RwLock`: <https://doc.rust-lang.org/std/sync/struct.RwLock.html>
//! - rust_howto, shared state:
//!   <https://john-cd.com/rust_howto/categories/concurrency/shared_state.html>

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::thread;

/// A phone directory: looked up all the time, changed now and then.
#[derive(Debug, Default)]
pub struct Directory {
    // TODO: a lock that lets many readers in at once.
    entries: Mutex<HashMap<String, String>>,
}

impl Directory {
    pub fn new() -> Directory {
        Directory::default()
    }

    /// Runs `read` on the entries and returns its result. Any number of readers may be
    /// inside `read` at once; a writer waits until they are all done.
    pub fn read<R>(&self, read: impl FnOnce(&HashMap<String, String>) -> R) -> R {
        // TODO: readers take turns here, one at a time.
        let entries = self.entries.lock().unwrap();
        read(&entries)
    }

    /// The number for `name`, if any.
    pub fn lookup(&self, name: &str) -> Option<String> {
        self.read(|entries| entries.get(name).cloned())
    }

    /// Sets the number for `name`; returns the previous one. Waits until no reader is
    /// inside `read`, and keeps them out while it writes.
    pub fn insert(&self, name: &str, number: &str) -> Option<String> {
        let mut entries = self.entries.lock().unwrap();
        entries.insert(name.to_string(), number.to_string())
    }
}

fn main() {
    let directory = Arc::new(Directory::new());
    directory.insert("ada", "555-0101");
    directory.insert("grace", "555-0199");
    let readers: Vec<_> = ["ada", "grace", "alan"]
        .into_iter()
        .map(|name| {
            let directory = Arc::clone(&directory);
            thread::spawn(move || (name, directory.lookup(name)))
        })
        .collect();
    for reader in readers {
        let (name, number) = reader.join().expect("a reader panicked");
        println!("{name}: {number:?}");
    }
    println!("{} entries", directory.read(HashMap::len));
}

#[cfg(test)]
mod tests {
    use super::*;
    use threadlings_testkit::{Gate, Rendezvous, Running};

    #[test]
    fn readers_hold_the_read_lock_at_the_same_time() {
        const READERS: usize = 4;
        let directory = Arc::new(Directory::new());
        directory.insert("ada", "555-0101");
        let meeting = Arc::new(Rendezvous::new(
            READERS,
            "the readers took turns inside `read`: a Mutex, or a write lock, lets one \
             thread in at a time; `RwLock::read` lets every reader in at once",
        ));
        let readers: Vec<_> = (0..READERS)
            .map(|_| {
                let (directory, meeting) = (Arc::clone(&directory), Arc::clone(&meeting));
                thread::spawn(move || {
                    directory.read(|entries| {
                        // Every reader must be inside `read` before any may leave.
                        meeting.arrive();
                        assert_eq!(entries.len(), 1);
                    });
                })
            })
            .collect();
        let mut panics: Vec<_> = readers
            .into_iter()
            .filter_map(|reader| reader.join().err())
            .collect();
        // The rendezvous's message says what went wrong; the others' panics followed it.
        panics.sort_by_key(|panic| {
            !panic
                .downcast_ref::<String>()
                .is_some_and(|message| message.contains("at the same time"))
        });
        if let Some(panic) = panics.into_iter().next() {
            std::panic::resume_unwind(panic);
        }
    }

    #[test]
    fn a_writer_waits_until_the_readers_are_done() {
        let directory = Arc::new(Directory::new());
        directory.insert("ada", "555-0101");
        let gate = Arc::new(Gate::new("a reader inside `read`"));
        let _release = gate.open_on_drop();
        let reader = {
            let (directory, gate) = (Arc::clone(&directory), Arc::clone(&gate));
            thread::spawn(move || {
                directory.read(|entries| {
                    gate.wait();
                    // The writer must not have changed anything under the reader's eyes.
                    entries.get("ada").cloned()
                })
            })
        };
        gate.wait_for_held(1, "the reader never got inside `read`");
        let writer = {
            let directory = Arc::clone(&directory);
            Running::spawn("`insert`", move || directory.insert("ada", "555-0202"))
        };
        writer.until_blocked(
            "a reader was inside `read`",
            "a writer must wait for the readers' guards: `read` must run the reader's \
             closure on the entries themselves, under the read guard, not on a copy",
        );
        gate.open();
        assert_eq!(
            reader.join().expect("the reader panicked").as_deref(),
            Some("555-0101")
        );
        assert_eq!(writer.join().as_deref(), Some("555-0101"));
        assert_eq!(directory.lookup("ada").as_deref(), Some("555-0202"));
    }

    #[test]
    fn lookups_see_what_was_inserted() {
        let directory = Directory::new();
        assert_eq!(directory.insert("ada", "1"), None);
        assert_eq!(directory.insert("alan", "2"), None);
        assert_eq!(directory.insert("ada", "3").as_deref(), Some("1"));
        assert_eq!(directory.lookup("ada").as_deref(), Some("3"));
        assert_eq!(directory.lookup("grace"), None);
        assert_eq!(directory.read(HashMap::len), 2);
    }
}
