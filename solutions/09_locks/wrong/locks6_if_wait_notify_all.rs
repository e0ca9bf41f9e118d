// WRONG: waits once (an if, not wait_while) and wakes every waiter: two waiters take one permit
//! # parking_lot's `Condvar`: wait for a condition, blocked
//!
//! A semaphore hands out a fixed number of permits: `acquire` takes one, `release` gives it
//! back. When none is free, `acquire` must *wait*, and waiting in a loop of `try`,
//! `yield_now` or `sleep` burns a core or answers late. A `Condvar` lets the thread sleep
//! until another one changes the state it waits for, and notifies.
//!
//! parking_lot's `Condvar` works with parking_lot's `Mutex`: `wait_while(&mut guard, |state|
//! still_waiting)` releases the lock while it sleeps, takes it again on each wake-up, and
//! returns only once the condition is false, re-checking it for you (a waiter that wakes to
//! find the permit already taken goes back to sleep). The notifier changes the state under
//! the lock and then calls `notify_one()`: one permit, one waiter to wake. parking_lot's
//! waits never return spuriously, and neither `lock()` nor `wait_while` returns a `Result`:
//! there is no poisoning to handle.
//!
//! - parking_lot: <https://docs.rs/parking_lot/latest/parking_lot/struct.Condvar.html>
//! - std's equivalent: <https://doc.rust-lang.org/std/sync/struct.Condvar.html#method.wait_while>
//! - rust_howto, shared state (parking_lot):
//!   <https://john-cd.com/rust_howto/categories/concurrency/shared_state.html>

use parking_lot::{Condvar, Mutex};

/// A counting semaphore: at most `permits` holders at a time.
pub struct Semaphore {
    free: Mutex<usize>,
    released: Condvar,
}

impl Semaphore {
    pub fn new(permits: usize) -> Self {
        Semaphore {
            free: Mutex::new(permits),
            released: Condvar::new(),
        }
    }

    /// Takes a permit, waiting (blocked) until one is free.
    pub fn acquire(&self) {
        let mut free = self.free.lock();
        // Sleeps with the lock released while no permit is free; re-checks on every wake.
        // parking_lot has no spurious wake-ups, so one wait is enough.
        if *free == 0 {
            self.released.wait(&mut free);
        }
        *free -= 1;
    }

    /// Gives a permit back, and wakes one waiter, if any.
    pub fn release(&self) {
        // Change the state under the lock first, then notify: a waiter either sees the new
        // permit before it sleeps, or is asleep when the notification comes.
        *self.free.lock() += 1;
        self.released.notify_all();
    }

    /// How many permits are free now.
    pub fn available(&self) -> usize {
        *self.free.lock()
    }
}

fn main() {
    let printers = Semaphore::new(2);
    std::thread::scope(|scope| {
        for job in 0..5 {
            let printers = &printers;
            scope.spawn(move || {
                printers.acquire();
                println!("job {job} is printing");
                printers.release();
            });
        }
    });
    println!("{} printers free", printers.available());
}
