// ALT: waits with plain loads until the lock looks free before each `compare_exchange` (test-and-test-and-set), instead of retrying the `compare_exchange_weak` itself
//! # A spin lock: `Acquire` to lock, `Release` to unlock
//!
//! A lock is a flag plus two promises. Taking it must be one atomic step,
//! `compare_exchange(false, true, ..)`: a `load` then a `store` lets two threads in at
//! once. (`swap(true)` works on hardware too, but it writes on every failed attempt; the
//! model checker can only bound a spin loop whose failed attempts change nothing.)
//! And it must order the data it guards: what one holder wrote must be visible to the next.
//! Unlocking with a `Release` store publishes the holder's writes; locking with an
//! `Acquire` read-modify-write that reads that store makes them visible. `Relaxed` on
//! either side lets the next holder work on stale data, though the flag itself works.
//!
//! While the lock is taken, call `hint::spin_loop()` between attempts (std's, through the
//! facade): it tells the CPU, and the model checker, which then runs another thread, that
//! you are waiting.
//!
//! x86 hides the missing orderings: its locked instructions and plain stores happen to be
//! strong enough. ARM, and the compiler's own reordering, are not; the model checker
//! reports the second holder's access to the data as a causality violation.
//!
//! - std: <https://doc.rust-lang.org/std/sync/atomic/struct.AtomicBool.html#method.compare_exchange_weak>,
//!   <https://doc.rust-lang.org/std/hint/fn.spin_loop.html>
//! - *Rust Atomics and Locks*, ch. 4 "Building Our Own Spin Lock":
//!   <https://marabos.nl/atomics/building-spinlock.html>

use threadlings_testkit::sync::atomic::{AtomicBool, Ordering};
use threadlings_testkit::sync::cell::UnsafeCell;
use threadlings_testkit::sync::hint;

/// A mutual-exclusion lock that busy-waits.
pub struct SpinLock<T> {
    locked: AtomicBool,
    value: UnsafeCell<T>,
}

// SAFETY: the lock gives one thread at a time access to the `T`, and moves it between
// threads, hence `T: Send`.
unsafe impl<T: Send> Sync for SpinLock<T> {}

impl<T> SpinLock<T> {
    pub fn new(value: T) -> Self {
        SpinLock {
            locked: AtomicBool::new(false),
            value: UnsafeCell::new(value),
        }
    }

    /// Runs `f` on the value while holding the lock.
    pub fn with_lock<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        // Acquire on success: reads the previous holder's Release store, so its writes to
        // the value are visible to `f`. Relaxed on failure and while waiting: a failed
        // attempt or a load that sees the lock held only tells us to wait. Waiting with
        // loads leaves the flag's cache line shared until the lock looks free.
        while self
            .locked
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            while self.locked.load(Ordering::Relaxed) {
                hint::spin_loop();
            }
        }
        // SAFETY: the lock is held: no other thread accesses the value until it is
        // released below.
        let result = self.value.with_mut(|value| f(unsafe { &mut *value }));
        // Release: publishes `f`'s writes to the next holder's Acquire.
        self.locked.store(false, Ordering::Release);
        result
    }

    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }
}

fn main() {
    let lock = SpinLock::new(Vec::new());
    std::thread::scope(|scope| {
        for id in 0..4 {
            let lock = &lock;
            scope.spawn(move || lock.with_lock(|list| list.push(id)));
        }
    });
    let mut list = lock.into_inner();
    list.sort_unstable();
    println!("{list:?}");
}
