// WRONG: loads `next`, then stores `next + 1`: two threads can load the same value and get the same ID
//! # A bounded ID allocator: `compare_exchange`, and when `Relaxed` is enough
//!
//! `next.load()` then `next.store(id + 1)` is two steps: two threads can both load 7 and
//! both hand out ID 7 (a *lost update*). `fetch_add` does the read-modify-write as one
//! atomic step, but it cannot refuse: past the limit it keeps counting. When the update
//! depends on the value, loop on `compare_exchange_weak(current, new, ..)`: it stores
//! `new` only if the value is still `current`, and otherwise tells you what it is now, so
//! you try again.
//!
//! Which ordering? The counter publishes no other data: an ID's uniqueness comes from the
//! atomicity of the read-modify-write, which every ordering has. So `Relaxed` is correct
//! here, and anything stronger would only cost. (x86 hides nothing and shows nothing
//! here: the lost update is a race between two steps, which the model checker finds by
//! trying every interleaving.)
//!
//! - std: <https://doc.rust-lang.org/std/sync/atomic/struct.AtomicU32.html#method.compare_exchange_weak>
//! - *Rust Atomics and Locks*, ch. 2 "Atomics", "Compare-and-Exchange Operations" and the
//!   ID allocation example: <https://marabos.nl/atomics/atomics.html#compare-and-exchange-operations>

use threadlings_testkit::sync::atomic::{AtomicU32, Ordering};

/// Hands out the IDs `0..limit`, each once, to any number of threads.
pub struct IdAllocator {
    next: AtomicU32,
    limit: u32,
}

impl IdAllocator {
    pub fn new(limit: u32) -> Self {
        IdAllocator {
            next: AtomicU32::new(0),
            limit,
        }
    }

    /// A fresh ID, or `None` once all `limit` are taken.
    pub fn allocate(&self) -> Option<u32> {
        // Relaxed: only the counter itself is shared.
        let id = self.next.load(Ordering::Relaxed);
        if id >= self.limit {
            return None;
        }
        self.next.store(id + 1, Ordering::Relaxed);
        Some(id)
    }
}

fn main() {
    let ids = IdAllocator::new(3);
    let taken: Vec<Option<u32>> = (0..4).map(|_| ids.allocate()).collect();
    println!("{taken:?}");
}
