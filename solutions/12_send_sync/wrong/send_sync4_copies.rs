// WRONG: the view is a copy taken under the lock: `Send`, and the lock is gone at once, so transfers happen while the view lives
use std::marker::PhantomData;
use std::sync::{Mutex, TryLockError};
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
            balances: self.balances.lock().unwrap().clone(),
            ledger: PhantomData,
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
        // The checkers borrow the view: `&View` is `Send` because `View` is `Sync`. The view
        // itself stays here, and is dropped (unlocking) on this thread, after both are done.
        let view = &view;
        thread::scope(|scope| {
            let total = scope.spawn(move || view.balances().iter().sum());
            let overdrawn = scope.spawn(move || view.balances().iter().filter(|&&b| b < 0).count());
            Audit {
                total: total.join().unwrap(),
                overdrawn: overdrawn.join().unwrap(),
            }
        })
    }
}

/// A consistent view of a ledger's balances, holding its lock.
pub struct View<'a> {
    // A copy, taken under the lock: nothing to share, nothing to hold.
    balances: Vec<i64>,
    ledger: PhantomData<&'a Ledger>,
}

impl View<'_> {
    pub fn balances(&self) -> &[i64] {
        &self.balances
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
