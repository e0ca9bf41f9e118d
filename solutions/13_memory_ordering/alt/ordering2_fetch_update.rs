// ALT: `fetch_update` with a closure that refuses past the limit, instead of a hand-written `compare_exchange_weak` loop
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
        // Relaxed (both): only the counter itself is shared. `fetch_update` is the
        // `compare_exchange_weak` loop: it retries until the closure's answer is stored
        // over the value it saw, or the closure refuses (`None`).
        self.next
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |next| {
                (next < self.limit).then_some(next + 1)
            })
            .ok()
    }
}

fn main() {
    let ids = IdAllocator::new(3);
    let taken: Vec<Option<u32>> = (0..4).map(|_| ids.allocate()).collect();
    println!("{taken:?}");
}
