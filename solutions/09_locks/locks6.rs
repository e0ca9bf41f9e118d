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
        self.released.wait_while(&mut free, |free| *free == 0);
        *free -= 1;
    }

    /// Gives a permit back, and wakes one waiter, if any.
    pub fn release(&self) {
        // Change the state under the lock first, then notify: a waiter either sees the new
        // permit before it sleeps, or is asleep when the notification comes.
        *self.free.lock() += 1;
        self.released.notify_one();
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc;
    use std::thread;
    use threadlings_testkit::{Running, Watch};

    #[test]
    fn a_waiter_blocks_until_a_permit_is_released() {
        let semaphore = Arc::new(Semaphore::new(1));
        semaphore.acquire();
        let waiter = {
            let semaphore = semaphore.clone();
            Running::spawn("`acquire`", move || semaphore.acquire())
        };
        waiter.until_blocked(
            "no permit was free",
            "wait on the Condvar (`wait_while`) instead of polling, sleeping or waiting \
             with a timeout",
        );
        semaphore.release();
        waiter.until_finished(
            "`release` gave a permit back, but the waiter never woke up: notify the \
             Condvar after you change the count",
        );
        waiter.join();
        assert_eq!(semaphore.available(), 0);
    }

    #[test]
    fn one_release_lets_exactly_one_waiter_through() {
        let semaphore = Arc::new(Semaphore::new(0));
        let (through_tx, through) = mpsc::channel();
        let watch = Watch::start();
        let waiters: Vec<_> = (0..2)
            .map(|index| {
                let (semaphore, through_tx) = (semaphore.clone(), through_tx.clone());
                thread::Builder::new()
                    .name(format!("waiter {index}"))
                    .spawn(move || {
                        semaphore.acquire();
                        through_tx.send(index).unwrap();
                    })
                    .unwrap()
            })
            .collect();
        let all_done = || waiters.iter().all(|waiter| waiter.is_finished());
        let mistake = "wait on the Condvar with `wait_while` while no permit is free";
        watch.until_blocked(&all_done, "both waiters", "no permit was free", mistake);
        semaphore.release();
        let first = through.recv().unwrap();
        watch.until_blocked(
            &all_done,
            "the other waiter",
            "the only permit was taken",
            mistake,
        );
        assert!(
            through.try_recv().is_err(),
            "one permit let two waiters through: take the permit (`*free -= 1`) only once \
             `wait_while` says one is free"
        );
        semaphore.release();
        let second = through.recv().unwrap();
        assert_ne!(first, second);
        for waiter in waiters {
            waiter.join().unwrap();
        }
        assert_eq!(semaphore.available(), 0);
    }

    #[test]
    fn never_more_holders_than_permits() {
        let semaphore = Arc::new(Semaphore::new(3));
        let holders = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let workers: Vec<_> = (0..8)
            .map(|_| {
                let (semaphore, holders, most) = (semaphore.clone(), holders.clone(), most.clone());
                thread::spawn(move || {
                    for _ in 0..200 {
                        semaphore.acquire();
                        let now = holders.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        holders.fetch_sub(1, Ordering::SeqCst);
                        semaphore.release();
                    }
                })
            })
            .collect();
        for worker in workers {
            worker.join().expect("a worker panicked");
        }
        assert!(
            most.load(Ordering::SeqCst) <= 3,
            "more than 3 holders at once"
        );
        assert_eq!(semaphore.available(), 3);
    }
}
