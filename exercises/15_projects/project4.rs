//! # Project: a bank that never loses a cent
//!
//! A bank with one lock per account lets transfers between different accounts run at the
//! same time; one lock for the whole bank would make every transfer wait for every other.
//! Per-account locks bring back the two classic problems, and an audit brings a third:
//!
//! - **Atomicity**: a transfer checks the balance and moves the money while it holds both
//!   accounts' locks, so nobody sees the money gone from one account and not yet in the
//!   other, and two transfers cannot both spend the same balance.
//! - **Deadlock**: `0 → 1` locks 0 then 1 while `1 → 0` locks 1 then 0, and each waits
//!   for ever for the other. Lock in one global order, the lower account number first,
//!   whichever way the money goes.
//! - **A consistent audit**: summing the balances one lock at a time can count money
//!   twice, or not at all, while transfers run. Hold every account's lock (taken in the
//!   same global order) while you add them up: a snapshot no transfer can cut through.
//!
//! `transfer` locks the source first, and `audit` reads the accounts one at a time. Fix
//! both.
//!
//! - std: <https://doc.rust-lang.org/std/sync/struct.Mutex.html>
//! - rust_howto, shared state:
//!   <https://john-cd.com/rust_howto/categories/concurrency/shared_state.html>

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
        // TODO: `0 → 1` locks 0 then 1, `1 → 0` locks 1 then 0: each can hold one lock and
        // wait for ever for the other. Lock the two accounts in one global order instead,
        // then work out which guard is the source.
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
        // TODO: each balance is read under its own lock, let go at once: a transfer can run
        // between two reads. Hold every account's lock (in the transfers' order) until the
        // sum is done.
        (0..self.accounts.len()).map(|a| *self.lock(a)).sum()
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::sync::Arc;
    use threadlings_testkit::{Gate, Running, Watch};

    /// Holds a thread named `who` at the gate when it is about to take its `nth` lock
    /// (counting from 1) while the gate is closed.
    fn hold_at_lock(
        gate: Arc<Gate>,
        who: &'static str,
        nth: usize,
    ) -> impl Fn(usize) + Send + Sync {
        let locks = Mutex::new(HashMap::<thread::ThreadId, usize>::new());
        move |_account| {
            let me = thread::current();
            if !me.name().is_some_and(|name| name.starts_with(who)) {
                return;
            }
            let taken = {
                let mut locks = locks.lock().unwrap();
                let taken = locks.entry(me.id()).or_default();
                *taken += 1;
                *taken
            };
            if taken == nth {
                gate.wait();
            }
        }
    }

    fn named<T: Send + 'static>(
        name: &str,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> thread::JoinHandle<T> {
        thread::Builder::new()
            .name(name.to_string())
            .spawn(work)
            .expect("the test could not start a thread")
    }

    #[test]
    fn transfers_keep_every_cent() {
        // Enough in each account that no transfer is ever refused, whatever the order.
        let bank = Bank::new(&[10_000, 10_000, 10_000, 10_000]);
        thread::scope(|s| {
            for teller in 0..4 {
                let bank = &bank;
                // Each teller moves money round the ring, 250 times each way round.
                s.spawn(move || {
                    for round in 0..500 {
                        let from = (teller + round) % 4;
                        let to = if round % 2 == 0 {
                            (from + 1) % 4
                        } else {
                            (from + 3) % 4
                        };
                        bank.transfer(from, to, 3).unwrap();
                    }
                });
            }
        });
        let balances: Vec<u64> = (0..4).map(|a| bank.balance(a)).collect();
        assert_eq!(bank.audit(), 40_000, "the total, after {balances:?}");
        assert_eq!(
            bank.transfer(0, 1, balances[0] + 1),
            Err(Insufficient {
                balance: balances[0],
                requested: balances[0] + 1
            })
        );
        assert_eq!(
            bank.balance(0),
            balances[0],
            "a refused transfer moves nothing"
        );
        assert_eq!(bank.transfer(3, 0, balances[3]), Ok(()));
        assert_eq!(
            (bank.balance(3), bank.balance(0)),
            (0, balances[0] + balances[3])
        );
    }

    #[test]
    fn opposite_transfers_do_not_deadlock() {
        // Each transfer is held just before its second lock, until both are held or
        // blocked. Source first, they each hold one account and then wait for ever for
        // the other's: a real deadlock (the grader shows where each one waits).
        let gate = Arc::new(Gate::new("transfers about to take their second lock"));
        let _release = gate.open_on_drop();
        let bank = Arc::new(Bank::watched(
            &[100, 100],
            hold_at_lock(Arc::clone(&gate), "teller", 2),
        ));
        let watch = Watch::start();
        let (one, other) = (Arc::clone(&bank), Arc::clone(&bank));
        let forth = named("teller-a", move || one.transfer(0, 1, 30));
        let back = named("teller-b", move || other.transfer(1, 0, 50));
        watch.until_blocked(
            &|| forth.is_finished() && back.is_finished(),
            "the transfers",
            "they were held before their second lock",
            "a transfer waiting for a lock must wait blocked",
        );
        gate.open();
        assert_eq!(forth.join().unwrap(), Ok(()));
        assert_eq!(back.join().unwrap(), Ok(()));
        assert_eq!((bank.balance(0), bank.balance(1)), (120, 80));
    }

    #[test]
    fn transfers_between_other_accounts_run_at_the_same_time() {
        // `0 → 1` and `2 → 3` share no account: both must get inside at once.
        let gate = Arc::new(Gate::new("transfers about to take their second lock"));
        let _release = gate.open_on_drop();
        let bank = Arc::new(Bank::watched(
            &[10, 10, 10, 10],
            hold_at_lock(Arc::clone(&gate), "teller", 2),
        ));
        let (one, other) = (Arc::clone(&bank), Arc::clone(&bank));
        let running = Running::spawn("two transfers", move || {
            let first = named("teller-a", move || one.transfer(0, 1, 5));
            let second = named("teller-b", move || other.transfer(2, 3, 5));
            (first.join().unwrap(), second.join().unwrap())
        });
        // Counted once settled, and again (three looks at most) while short: on a loaded
        // machine a thread just woken may not have run yet.
        let mut inside = 0;
        for _ in 0..3 {
            running.until_blocked(
                "both transfers were held before their second lock",
                "a transfer waiting for a lock must wait blocked",
            );
            inside = gate.waiting();
            if inside == 2 {
                break;
            }
        }
        gate.open();
        assert_eq!(
            inside, 2,
            "{inside} of 2 transfers between different accounts ran at the same time: lock \
             the two accounts of a transfer, not the whole bank"
        );
        assert_eq!(running.join(), (Ok(()), Ok(())));
        let balances: Vec<u64> = (0..4).map(|a| bank.balance(a)).collect();
        assert_eq!(balances, vec![5, 15, 5, 15]);
    }

    #[test]
    fn an_audit_is_not_cut_through_by_a_transfer() {
        // The audit is held just before it locks account 1, having locked account 0.
        // Meanwhile `1 → 0` moves 50: an audit that already let go of account 0 counts
        // those 50 nowhere.
        let gate = Arc::new(Gate::new("the audit, about to lock account 1"));
        let _release = gate.open_on_drop();
        let bank = Arc::new(Bank::watched(
            &[100, 100, 100],
            hold_at_lock(Arc::clone(&gate), "auditor", 2),
        ));
        let (auditor_bank, teller_bank) = (Arc::clone(&bank), Arc::clone(&bank));
        let watch = Watch::start();
        let audit = named("auditor", move || auditor_bank.audit());
        gate.wait_for_held(1, "the audit never went on to a second account");
        let transfer = named("teller", move || teller_bank.transfer(1, 0, 50));
        watch.until_blocked(
            &|| audit.is_finished(),
            "the audit",
            "it was held before locking account 1",
            "a transfer waiting for a lock must wait blocked",
        );
        gate.open();
        let total = audit.join().unwrap();
        assert_eq!(transfer.join().unwrap(), Ok(()));
        assert_eq!(
            total, 300,
            "the audit saw {total} in a bank that always holds 300: a transfer ran between \
             two of its reads. Hold every account's lock until the sum is done"
        );
    }
}
