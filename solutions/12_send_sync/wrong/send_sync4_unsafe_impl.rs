// WRONG: keeps handing the view to a checker and promises `View: Send`: the guard, and the unlock, move to another thread
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
    guard: MutexGuard<'a, Vec<i64>>,
}

// "Fixes" the compile error: the compiler believes the promise, and the lock is released
// by a thread that did not take it.
unsafe impl Send for View<'_> {}

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
