//! # `Sync` but not `Send`: a `MutexGuard` is shared, never moved
//!
//! A `MutexGuard` is the proof that you hold a lock, and dropping it unlocks. It is `Sync`
//! (when `T` is): a `&MutexGuard<T>` only gives a `&T`, which any number of threads may
//! read at once. It is not `Send`: some platforms' locks (POSIX mutexes among them) must be
//! unlocked by the thread that locked them, so std keeps that rule everywhere, and the
//! guard, whose drop unlocks, may not move to another thread. The compiler says so with
//! "`MutexGuard<'_, T>` cannot be sent between threads safely".
//!
//! So to let other threads work on locked data, lend them the guard, don't give it away:
//! scoped threads can borrow it, because a reference to a `Sync` value is `Send`.
//!
//! `View` below is a consistent view of a ledger: it holds the lock, so no transfer happens
//! while it lives. `Ledger::audit` hands the view to a checker thread, and does not compile.
//! Let two checkers share the view at once, one summing the balances and one counting the
//! overdrawn accounts, and keep `View` exactly as thread-safe as the guard it holds.
//! Graded by trybuild: the snippets in `grader/ui-harness/cases/send_sync4/` must (`pass/`)
//! or must not (`fail/`) compile against your file.
//!
//! - std: <https://doc.rust-lang.org/std/sync/struct.MutexGuard.html#impl-Send-for-MutexGuard%3C'_,+T%3E>,
//!   <https://doc.rust-lang.org/std/thread/fn.scope.html>
//! - *Rust Atomics and Locks*, ch. 1, lock guards: <https://marabos.nl/atomics/basics.html#mutex>
//! - rust_howto, Send and Sync: <https://john-cd.com/rust_howto/categories/concurrency/send_sync.html>

use std::sync::{Mutex, MutexGuard, TryLockError};
use std::thread;

/// Account balances, behind one lock.
pub struct Ledger {
    balances: Mutex<Vec<i64>>,
}

/// What an audit found.
#[derive(Debug, PartialEq, Eq)]
pub struct Audit {
    pub total: i64,
    pub overdrawn: usize,
}

impl Ledger {
    pub fn new(balances: Vec<i64>) -> Self {
        Ledger {
            balances: Mutex::new(balances),
        }
    }

    /// A consistent view of every balance: it holds the ledger's lock until it is dropped.
    pub fn view(&self) -> View<'_> {
        View {
            guard: self.balances.lock().unwrap(),
        }
    }

    /// Moves `amount` from one account to another, unless a view holds the ledger: then it
    /// changes nothing and returns `false`.
    pub fn try_transfer(&self, from: usize, to: usize, amount: i64) -> bool {
        match self.balances.try_lock() {
            Ok(mut balances) => {
                balances[from] -= amount;
                balances[to] += amount;
                true
            }
            Err(TryLockError::WouldBlock) => false,
            Err(TryLockError::Poisoned(poisoned)) => panic!("{poisoned}"),
        }
    }

    /// Audits one consistent view with two checkers at once.
    pub fn audit(&self) -> Audit {
        let view = self.view();
        thread::scope(|scope| {
            // TODO: the checker takes the view, and its lock, to its own thread. Two
            // checkers should share it instead: one sums the balances, the other counts
            // the overdrawn accounts.
            let checker = scope.spawn(move || Audit {
                total: view.balances().iter().sum(),
                overdrawn: view.balances().iter().filter(|&&b| b < 0).count(),
            });
            checker.join().unwrap()
        })
    }
}

/// A consistent view of a ledger's balances, holding its lock.
pub struct View<'a> {
    // The guard makes `View` `Sync` and not `Send`, as it must be: no `unsafe impl` here.
    guard: MutexGuard<'a, Vec<i64>>,
}

impl View<'_> {
    pub fn balances(&self) -> &[i64] {
        &self.guard
    }
}

fn main() {
    let ledger = Ledger::new(vec![120, -30, 45, -5]);
    {
        let view = ledger.view();
        println!("balances: {:?}", view.balances());
        println!(
            "a transfer during the view: {}",
            ledger.try_transfer(0, 1, 50)
        );
    }
    println!("a transfer after it: {}", ledger.try_transfer(0, 1, 50));
    println!("{:?}", ledger.audit());
}
