// WRONG: checks the flag under one lock and waits under another: the event can be set and notified in between, and the waiter sleeps forever
//! # A lost wake-up: change the condition under the lock, then notify
//!
//! A `Condvar` lets a thread sleep until another changes something guarded by a `Mutex`.
//! It has no memory: a `notify_all` that comes while nobody waits is lost. So the waiter
//! checks the condition and goes to sleep *while holding the lock* (`wait` releases it
//! atomically), and the notifier changes the condition *under that same lock* before it
//! notifies. Then the change happens either before the waiter's check (it sees it and
//! does not sleep) or after the waiter is asleep (the notify wakes it): no window is left.
//!
//! Notify first and change the condition afterwards, and there is a window: the waiter
//! checks (not yet), the notify goes to nobody, the waiter sleeps, the condition changes
//! with no notify to follow. Real threads hit it once in a million runs; the model
//! checker finds the interleaving at once, as a deadlock with the line each thread waits at.
//!
//! And wait in a `while` loop, never an `if`: a wake-up does not promise the condition
//! (another waiter may have run first, and wake-ups may be spurious).
//!
//! - std: <https://doc.rust-lang.org/std/sync/struct.Condvar.html>
//! - *Rust Atomics and Locks*, ch. 1 "Basics of Rust Concurrency", "Condition Variables":
//!   <https://marabos.nl/atomics/basics.html#condvar>

use threadlings_testkit::sync::{Condvar, Mutex};

/// A one-time event: threads wait until someone sets it.
pub struct Event {
    set: Mutex<bool>,
    changed: Condvar,
}

impl Event {
    pub fn new() -> Self {
        Event {
            set: Mutex::new(false),
            changed: Condvar::new(),
        }
    }

    /// Sets the event and wakes every waiter.
    pub fn set(&self) {
        // The condition changes under the lock the waiters check it under, and only then
        // are they notified: a waiter has either seen `true` or is asleep by now.
        *self.set.lock().unwrap() = true;
        self.changed.notify_all();
    }

    /// Returns once the event is set.
    pub fn wait(&self) {
        // Check the flag; if it is not set, wait for the notify.
        let set = *self.set.lock().unwrap();
        if !set {
            let guard = self.set.lock().unwrap();
            drop(self.changed.wait(guard).unwrap());
        }
    }
}

impl Default for Event {
    fn default() -> Self {
        Self::new()
    }
}

fn main() {
    let event = Event::new();
    std::thread::scope(|scope| {
        scope.spawn(|| {
            event.wait();
            println!("the event came");
        });
        event.set();
    });
}
