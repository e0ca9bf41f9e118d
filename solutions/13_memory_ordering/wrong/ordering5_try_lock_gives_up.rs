// WRONG: locks `from`, then only tries `to`, and reports success without moving the money when it is taken
//! # Lock ordering: two locks, one order
//!
//! A transfer between two accounts locks both. If one thread locks `a` then `b` while
//! another locks `b` then `a`, each can take its first lock and wait forever for the
//! other's: a deadlock. It needs an unlucky interleaving, so tests on real threads pass
//! almost always and hang once in a while. The model checker tries the interleavings and
//! names the blocked threads and the lines where they wait.
//!
//! The cure is a global order: every thread takes the locks in the same order (here, by
//! account number), whatever the direction of the transfer. Then whoever holds the first
//! lock can always get the second. (A lock that is held while waiting for another is the
//! pattern to look for in any deadlock.)
//!
//! - std: <https://doc.rust-lang.org/std/sync/struct.Mutex.html>
//! - *Rust Atomics and Locks*, ch. 1 "Basics of Rust Concurrency", "Locking: Mutexes and
//!   RwLocks": <https://marabos.nl/atomics/basics.html#mutex>

use threadlings_testkit::sync::Mutex;

/// An account with a number (its place in the lock order) and a balance.
pub struct Account {
    pub number: u32,
    balance: Mutex<u64>,
}

impl Account {
    pub fn new(number: u32, balance: u64) -> Self {
        Account {
            number,
            balance: Mutex::new(balance),
        }
    }

    pub fn balance(&self) -> u64 {
        *self.balance.lock().unwrap()
    }
}

/// Moves `amount` from `from` to `to`, if `from` has it; whether it did.
pub fn transfer(from: &Account, to: &Account, amount: u64) -> bool {
    assert_ne!(from.number, to.number, "a transfer needs two accounts");
    // `try_lock` cannot deadlock: if `to` is taken, give up rather than wait for it.
    let mut from_balance = from.balance.lock().unwrap();
    let Ok(mut to_balance) = to.balance.try_lock() else {
        return true;
    };
    let (from_balance, to_balance) = (&mut *from_balance, &mut *to_balance);
    if *from_balance < amount {
        return false;
    }
    *from_balance -= amount;
    *to_balance += amount;
    true
}

fn main() {
    let a = Account::new(1, 100);
    let b = Account::new(2, 50);
    std::thread::scope(|scope| {
        scope.spawn(|| transfer(&a, &b, 30));
        scope.spawn(|| transfer(&b, &a, 10));
    });
    println!("a: {}, b: {}", a.balance(), b.balance());
}
