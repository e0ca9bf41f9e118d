// WRONG: stores READY before writing the value, so a reader can read it while it is written
//! # A write-once cell: claim with `compare_exchange`, publish with `Release`
//!
//! `std::sync::OnceLock` lets many threads race to set a value that is then read by all.
//! Underneath, two jobs need two tools. *Claiming* the right to write must be one atomic
//! step, so that exactly one of the racing setters wins: `compare_exchange(EMPTY,
//! WRITING, ..)`. *Publishing* the value once it is written is the flag of `ordering1`: a
//! `Release` store of `READY`, read by an `Acquire` load in `get`.
//!
//! The claim itself publishes nothing: the losers never touch the value, and readers
//! wait for `READY`. So it can be `Relaxed`. Weakest correct orderings are a design
//! decision you can justify line by line; "`SeqCst` everywhere" is not a justification.
//!
//! x86 would pass a `Relaxed` publication every time; the model checker reports the read
//! in `get` as a causality violation. It also finds the interleaving where a
//! check-then-act claim (`load`, then `store`) lets two setters write at once.
//!
//! - std: <https://doc.rust-lang.org/std/sync/struct.OnceLock.html>
//! - *Rust Atomics and Locks*, ch. 5 "Building Our Own Channels" (the one-shot channel):
//!   <https://marabos.nl/atomics/building-channels.html#an-unsafe-one-shot-channel>

use threadlings_testkit::sync::atomic::{AtomicU8, Ordering};
use threadlings_testkit::sync::cell::UnsafeCell;

const EMPTY: u8 = 0;
const WRITING: u8 = 1;
const READY: u8 = 2;

/// A cell that is set at most once, by any thread, and read by all.
pub struct OnceSlot<T> {
    state: AtomicU8,
    value: UnsafeCell<Option<T>>,
}

// SAFETY: the value is written by the one thread that moved `state` from EMPTY to
// WRITING, and read only after `state` is READY; it is shared by reference (`T: Sync`)
// and set from another thread (`T: Send`).
unsafe impl<T: Send + Sync> Sync for OnceSlot<T> {}

impl<T> OnceSlot<T> {
    pub fn new() -> Self {
        OnceSlot {
            state: AtomicU8::new(EMPTY),
            value: UnsafeCell::new(None),
        }
    }

    /// Sets the value, if nobody has; otherwise gives `value` back.
    pub fn set(&self, value: T) -> Result<(), T> {
        // Relaxed (success and failure): winning only grants the right to write; nothing
        // is read because of it, and the value is published by the Release below.
        if self
            .state
            .compare_exchange(EMPTY, WRITING, Ordering::Relaxed, Ordering::Relaxed)
            .is_err()
        {
            return Err(value);
        }
        // Release: publishes the claim.
        self.state.store(READY, Ordering::Release);
        // SAFETY: this thread won the claim: nobody else writes.
        self.value.with_mut(|slot| unsafe { *slot = Some(value) });
        Ok(())
    }

    /// The value, once it is set.
    pub fn get(&self) -> Option<&T> {
        // Acquire: pairs with the Release store of READY, so the value is complete.
        if self.state.load(Ordering::Acquire) == READY {
            // SAFETY: READY: the value is written and is never written again.
            self.value.with(|slot| unsafe { (*slot).as_ref() })
        } else {
            None
        }
    }
}

impl<T> Default for OnceSlot<T> {
    fn default() -> Self {
        Self::new()
    }
}

fn main() {
    let slot = OnceSlot::new();
    std::thread::scope(|scope| {
        for name in ["ada", "grace"] {
            let slot = &slot;
            scope.spawn(move || {
                let won = slot.set(name).is_ok();
                println!("{name} won: {won}");
            });
        }
    });
    println!("the slot holds {:?}", slot.get());
}
