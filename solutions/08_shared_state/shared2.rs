//! # Lost updates, and the `Mutex` that prevents them
//!
//! `balance = compute(balance)` is three steps: read, compute, write. When two threads
//! interleave them, both read 100, both write 110, and one deposit is gone: a *lost
//! update*. Locking the read and then, separately, the write does not help: the other
//! thread still gets in between. The lock must be held for the whole read-compute-write.
//!
//! `Mutex<T>` owns the data it guards: `lock()` returns a `MutexGuard`, the only way to
//! reach the value, and the lock is released when the guard is dropped. Keep one guard for
//! the whole update. (`lock()` returns a `Result`: the next lesson is about its error.)
//!
//! - std, `Mutex`: <https://doc.rust-lang.org/std/sync/struct.Mutex.html>
//! - The Rust book, 16.3: <https://doc.rust-lang.org/book/ch16-03-shared-state.html>
//! - rust_howto, shared state:
//!   <https://john-cd.com/rust_howto/categories/concurrency/shared_state.html>

use std::sync::{Arc, Mutex};
use std::thread;

/// An account many threads update at once.
#[derive(Debug, Default)]
pub struct Account {
    balance: Mutex<i64>,
}

impl Account {
    pub fn new(balance: i64) -> Account {
        Account {
            balance: Mutex::new(balance),
        }
    }

    /// The balance now.
    pub fn balance(&self) -> i64 {
        *self
            .balance
            .lock()
            .expect("a thread panicked while updating the balance")
    }

    /// Replaces the balance with `change(balance)`, as one step: no other update may run
    /// between reading the balance and writing the new one.
    pub fn update(&self, change: impl FnOnce(i64) -> i64) {
        // One guard from the read to the write: another `update` waits in `lock()` until
        // this guard is dropped at the end of the function.
        let mut balance = self
            .balance
            .lock()
            .expect("a thread panicked while updating the balance");
        *balance = change(*balance);
    }
}

fn main() {
    let account = Arc::new(Account::new(0));
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let account = Arc::clone(&account);
            thread::spawn(move || {
                for _ in 0..1000 {
                    account.update(|balance| balance + 5);
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().expect("a depositor panicked");
    }
    println!(
        "4 threads × 1000 deposits of 5: balance {}",
        account.balance()
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    use threadlings_testkit::{Gate, Running};

    #[test]
    fn an_update_in_progress_makes_the_others_wait() {
        // The first update is held between its read and its write; a second update runs
        // meanwhile. It must wait for the first, blocked, and both deposits must count.
        let account = Arc::new(Account::new(100));
        let gate = Arc::new(Gate::new("the first update"));
        let _release = gate.open_on_drop();
        let first = {
            let (account, gate) = (Arc::clone(&account), Arc::clone(&gate));
            thread::spawn(move || {
                account.update(|balance| {
                    gate.wait();
                    balance + 10
                });
            })
        };
        gate.wait_for_held(1, "the first update never called `change`");
        let second = {
            let account = Arc::clone(&account);
            Running::spawn("the second update", move || {
                account.update(|balance| balance + 1);
            })
        };
        second.until_blocked(
            "another update was between its read and its write",
            "hold one `MutexGuard` from reading the balance to writing the new one (an \
             update that locks to read, then again to write, lets another in between and \
             loses a deposit; one that gives up or spins on `try_lock` is wrong too)",
        );
        gate.open();
        first.join().expect("the first update panicked");
        second.join();
        assert_eq!(account.balance(), 111, "a deposit was lost");
    }

    #[test]
    fn many_threads_many_deposits_none_lost() {
        const THREADS: usize = 8;
        const DEPOSITS: usize = 2000;
        let account = Arc::new(Account::new(0));
        let handles: Vec<_> = (0..THREADS)
            .map(|_| {
                let account = Arc::clone(&account);
                thread::spawn(move || {
                    for _ in 0..DEPOSITS {
                        account.update(|balance| balance + 1);
                    }
                })
            })
            .collect();
        for handle in handles {
            handle.join().expect("a depositor panicked");
        }
        assert_eq!(
            account.balance(),
            (THREADS * DEPOSITS) as i64,
            "deposits were lost"
        );
    }

    #[test]
    fn change_runs_once_per_update() {
        let account = Account::new(7);
        let ran = AtomicBool::new(false);
        account.update(|balance| {
            assert!(!ran.swap(true, Ordering::Relaxed), "`change` ran twice");
            balance * 3
        });
        assert_eq!(account.balance(), 21);
    }
}
