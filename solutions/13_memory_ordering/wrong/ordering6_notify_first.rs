// WRONG: notifies before setting the flag: a waiter that checked the flag before it was set and sleeps after the notify is never woken
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
        // Wake every waiter, then record the event for later ones.
        self.changed.notify_all();
        *self.set.lock().unwrap() = true;
    }

    /// Returns once the event is set.
    pub fn wait(&self) {
        let mut set = self.set.lock().unwrap();
        // `while`, not `if`: a wake-up does not promise the condition.
        while !*set {
            set = self.changed.wait(set).unwrap();
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
