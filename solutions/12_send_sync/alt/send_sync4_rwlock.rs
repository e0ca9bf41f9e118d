// ALT: an `RwLock` and its read guard, the checkers borrowing the slice rather than the view: the same verdicts
use std::sync::{RwLock, RwLockReadGuard, TryLockError};
use std::thread;

/// Account balances, behind one lock.
pub struct Ledger {
    balances: RwLock<Vec<i64>>,
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
            balances: RwLock::new(balances),
        }
    }

    /// A consistent view of every balance: it holds the ledger's lock until it is dropped.
    pub fn view(&self) -> View<'_> {
        View {
            guard: self.balances.read().unwrap(),
        }
    }

    /// Moves `amount` from one account to another, unless a view holds the ledger: then it
    /// changes nothing and returns `false`.
    pub fn try_transfer(&self, from: usize, to: usize, amount: i64) -> bool {
        match self.balances.try_write() {
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
        // The checkers borrow the view: `&View` is `Send` because `View` is `Sync`. The view
        // itself stays here, and is dropped (unlocking) on this thread, after both are done.
        let balances = view.balances();
        thread::scope(|scope| {
            let total = scope.spawn(|| balances.iter().sum());
            let overdrawn = scope.spawn(|| balances.iter().filter(|&&b| b < 0).count());
            Audit {
                total: total.join().unwrap(),
                overdrawn: overdrawn.join().unwrap(),
            }
        })
    }
}

/// A consistent view of a ledger's balances, holding its lock.
pub struct View<'a> {
    // A read guard: views can overlap, transfers wait for them all. Like a `MutexGuard`,
    // it is `Sync` and not `Send`.
    guard: RwLockReadGuard<'a, Vec<i64>>,
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
