// WRONG: raises the flag before writing the value, so a reader can see the flag and read the value while it is written
//! # Publishing data with a flag: `Release` and `Acquire`
//!
//! One thread writes a value, then raises a flag; another sees the flag and reads the
//! value. With `Ordering::Relaxed` the flag is atomic, but nothing orders the value's
//! write before the flag's: the reader may see the flag and a stale or half-written
//! value. A `Release` store "publishes" every write made before it; an `Acquire` load that
//! reads that store sees all of them (a *happens-before* edge). Both halves are needed.
//!
//! x86 hides the bug: its stores and loads are ordered in hardware, so `Relaxed` passes
//! every run there (ARM and the compiler's reordering do not). This exercise is graded by
//! a model checker that explores what the memory model allows, not what one CPU does:
//! a read the flag does not order after the write is reported as a *causality violation*.
//!
//! The code uses `threadlings_testkit::sync` (std's types, or the model checker's) and an
//! `UnsafeCell` accessed through `with`/`with_mut`.
//!
//! - std: <https://doc.rust-lang.org/std/sync/atomic/enum.Ordering.html>
//! - *Rust Atomics and Locks*, ch. 3 "Memory Ordering", "Release and Acquire Ordering":
//!   <https://marabos.nl/atomics/memory-ordering.html#release-and-acquire-ordering>

use threadlings_testkit::sync::Arc;
use threadlings_testkit::sync::atomic::{AtomicBool, Ordering};
use threadlings_testkit::sync::cell::UnsafeCell;

struct Slot {
    ready: AtomicBool,
    value: UnsafeCell<u64>,
}

// SAFETY: `value` is written once, by the only `Writer`, before `ready` is set, and read
// only after `ready` is seen set: the flag orders every access.
unsafe impl Sync for Slot {}

/// The sending half: publishes one value, once.
pub struct Writer {
    slot: Arc<Slot>,
}

/// The receiving half: sees the value once it is published.
#[derive(Clone)]
pub struct Reader {
    slot: Arc<Slot>,
}

/// A mailbox for one `u64`, split into its two halves.
pub fn mailbox() -> (Writer, Reader) {
    let slot = Arc::new(Slot {
        ready: AtomicBool::new(false),
        value: UnsafeCell::new(0),
    });
    (
        Writer {
            slot: Arc::clone(&slot),
        },
        Reader { slot },
    )
}

impl Writer {
    /// Writes `value`, then raises the flag.
    pub fn publish(self, value: u64) {
        // Release: publishes the flag.
        self.slot.ready.store(true, Ordering::Release);
        // SAFETY: only this (consumed) writer writes.
        self.slot.value.with_mut(|slot| unsafe { *slot = value });
    }
}

impl Reader {
    /// The value, if it has been published.
    pub fn try_read(&self) -> Option<u64> {
        // Acquire: pairs with the Release store, so the value's write is visible below.
        if self.slot.ready.load(Ordering::Acquire) {
            // SAFETY: the flag is set, so the write is finished and happened-before this.
            Some(self.slot.value.with(|slot| unsafe { *slot }))
        } else {
            None
        }
    }
}

fn main() {
    let (writer, reader) = mailbox();
    let handle = std::thread::spawn(move || writer.publish(42));
    handle.join().expect("the writer panicked");
    println!("published: {:?}", reader.try_read());
}
