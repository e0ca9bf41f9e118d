// WRONG: locks to read the balance, then again to write it: another update gets in between
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
        let current = *self.balance.lock().unwrap();
        let new = change(current);
        let mut balance = self.balance.lock().unwrap();
        *balance = new;
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
