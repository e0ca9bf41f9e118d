// WRONG: locks the source account, then the destination: opposite transfers each hold one lock and wait for ever (deadlock)
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::thread;

/// A transfer larger than the source account's balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Insufficient {
    pub balance: u64,
    pub requested: u64,
}

/// A bank: one balance per account, each behind its own lock.
pub struct Bank {
    accounts: Vec<Mutex<u64>>,
    /// Called with an account's number just before its lock is taken.
    on_lock: Box<dyn Fn(usize) + Send + Sync>,
}

impl Bank {
    /// A bank with these opening balances.
    pub fn new(balances: &[u64]) -> Bank {
        Bank::watched(balances, |_| {})
    }

    /// The same, calling `on_lock(account)` just before each lock is taken.
    pub fn watched(balances: &[u64], on_lock: impl Fn(usize) + Send + Sync + 'static) -> Bank {
        Bank {
            accounts: balances.iter().map(|&b| Mutex::new(b)).collect(),
            on_lock: Box::new(on_lock),
        }
    }

    /// How many accounts the bank has.
    pub fn len(&self) -> usize {
        self.accounts.len()
    }

    /// Whether the bank has no account.
    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }

    /// Locks `account`'s balance.
    fn lock(&self, account: usize) -> MutexGuard<'_, u64> {
        (self.on_lock)(account);
        self.accounts[account]
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Moves `amount` from `from` to `to`, if `from` holds that much.
    ///
    /// # Panics
    /// If `from == to`.
    pub fn transfer(&self, from: usize, to: usize, amount: u64) -> Result<(), Insufficient> {
        assert_ne!(from, to, "a transfer needs two different accounts");
        let mut source = self.lock(from);
        let mut destination = self.lock(to);
        let (source, destination) = (&mut *source, &mut *destination);
        // Check and move under both locks: nothing can come in between.
        if *source < amount {
            return Err(Insufficient {
                balance: *source,
                requested: amount,
            });
        }
        *source -= amount;
        *destination += amount;
        Ok(())
    }

    /// The total of every balance, at one instant: no transfer is half-counted.
    pub fn audit(&self) -> u64 {
        // Every lock, in the same global order as the transfers (so this cannot deadlock
        // with them), held until the sum is done.
        let balances: Vec<MutexGuard<'_, u64>> =
            (0..self.accounts.len()).map(|a| self.lock(a)).collect();
        balances.iter().map(|balance| **balance).sum()
    }

    /// The balance of one account.
    pub fn balance(&self, account: usize) -> u64 {
        *self.lock(account)
    }
}

fn main() {
    let bank = Bank::new(&[100, 100, 100, 100]);
    thread::scope(|s| {
        for teller in 0..4 {
            let bank = &bank;
            s.spawn(move || {
                for round in 0..1000 {
                    let from = (teller + round) % 4;
                    let _ = bank.transfer(from, (from + 1) % 4, 7);
                }
            });
        }
        s.spawn(|| println!("audit while the tellers work: {}", bank.audit()));
    });
    let balances: Vec<u64> = (0..bank.len()).map(|a| bank.balance(a)).collect();
    println!("balances {balances:?}, total {}", bank.audit());
}
