//! # Capstone: a bank that never deadlocks and never loses money
//!
//! Every account has its own lock, so transfers between different accounts run at the
//! same time. Three rules from this topic keep the bank correct under any number of
//! threads:
//!
//! - **one lock order**: a transfer locks its two accounts lower id first, whichever way
//!   the money goes; two opposite transfers can then never hold one account each and wait
//!   for the other's (locks3). Both ids are known up front, so nobody needs `try_lock`
//!   loops here (locks4): a transfer just waits, blocked, for an account that is busy;
//! - **no lock across a blocking call**: every transfer sends a `Receipt` to the auditor
//!   over a bounded channel, and `send` waits while the channel is full; send it once both
//!   guards are gone (locks1);
//! - **a consistent total**: summing the accounts one lock at a time can count money that
//!   moves behind your back twice, or not at all. Hold every account's lock at once (in the
//!   same global order) while you add them up.
//!
//! The accounts are `parking_lot::Mutex`es: no poisoning, no `unwrap`.
//!
//! - parking_lot: <https://docs.rs/parking_lot/latest/parking_lot/type.Mutex.html>
//! - std: <https://doc.rust-lang.org/std/sync/mpsc/struct.SyncSender.html>
//! - rust_howto, shared state:
//!   <https://john-cd.com/rust_howto/categories/concurrency/shared_state.html>

use parking_lot::{Mutex, MutexGuard};
use std::sync::mpsc::SyncSender;

/// What a transfer did, for the auditor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub from: usize,
    pub to: usize,
    pub amount: u64,
    /// Whether the money moved (`false`: `from` did not have it).
    pub done: bool,
}

/// Accounts numbered from 0, each behind its own lock, and the auditor's channel. Every
/// lock taken through [`Bank::lock`] is reported to an observer (the tests use it to force
/// the unlucky interleavings).
pub struct Bank {
    accounts: Vec<Mutex<u64>>,
    receipts: SyncSender<Receipt>,
    on_lock: Box<dyn Fn(usize) + Send + Sync>,
}

impl Bank {
    pub fn new(balances: &[u64], receipts: SyncSender<Receipt>) -> Self {
        Self::observed(balances, receipts, |_| {})
    }

    /// A bank that calls `on_lock(id)` right after each lock of an account is taken.
    pub fn observed(
        balances: &[u64],
        receipts: SyncSender<Receipt>,
        on_lock: impl Fn(usize) + Send + Sync + 'static,
    ) -> Self {
        Bank {
            accounts: balances
                .iter()
                .map(|&balance| Mutex::new(balance))
                .collect(),
            receipts,
            on_lock: Box::new(on_lock),
        }
    }

    /// Locks account `id` (waiting until it is free) and reports it to the observer.
    pub fn lock(&self, id: usize) -> MutexGuard<'_, u64> {
        let guard = self.accounts[id].lock();
        (self.on_lock)(id);
        guard
    }

    pub fn balance(&self, id: usize) -> u64 {
        *self.lock(id)
    }

    /// Moves `amount` from `from` to `to` if `from` has it, then sends the auditor a
    /// receipt; returns whether the money moved.
    pub fn transfer(&self, from: usize, to: usize, amount: u64) -> bool {
        assert_ne!(from, to, "a transfer needs two accounts");
        let done = {
            // The global order: lower id first, whichever way the money goes.
            let mut low = self.lock(from.min(to));
            let mut high = self.lock(from.max(to));
            let (source, target) = if from < to {
                (&mut low, &mut high)
            } else {
                (&mut high, &mut low)
            };
            if **source >= amount {
                **source -= amount;
                **target += amount;
                true
            } else {
                false
            }
        }; // Both guards are dropped here, before the send can block.
        let receipt = Receipt {
            from,
            to,
            amount,
            done,
        };
        self.receipts.send(receipt).expect("the auditor stopped");
        done
    }

    /// The sum of every balance, as of one instant: no transfer is half counted.
    pub fn total(&self) -> u64 {
        // Every account locked at once, in the same order as the transfers take them.
        let guards: Vec<MutexGuard<'_, u64>> =
            (0..self.accounts.len()).map(|id| self.lock(id)).collect();
        guards.iter().map(|balance| **balance).sum()
    }
}

fn main() {
    let (receipts, auditor) = std::sync::mpsc::sync_channel(4);
    let bank = Bank::new(&[100, 50, 0], receipts);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            for receipt in auditor.iter().take(4) {
                println!("{receipt:?}");
            }
        });
        scope.spawn(|| bank.transfer(0, 1, 30));
        scope.spawn(|| bank.transfer(1, 0, 10));
        scope.spawn(|| bank.transfer(1, 2, 70));
        scope.spawn(|| bank.transfer(2, 0, 500));
    });
    println!("total {}", bank.total());
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::mpsc::{self, Receiver};
    use std::thread;
    use threadlings_testkit::{Gate, Running, Watch};

    fn spawn_named<T: Send + 'static>(
        name: &str,
        code: impl FnOnce() -> T + Send + 'static,
    ) -> thread::JoinHandle<T> {
        thread::Builder::new()
            .name(name.to_owned())
            .spawn(code)
            .unwrap()
    }

    /// A bank whose auditor's channel has room for `capacity` receipts.
    fn bank_with(
        balances: &[u64],
        capacity: usize,
        on_lock: impl Fn(usize) + Send + Sync + 'static,
    ) -> (Arc<Bank>, Receiver<Receipt>) {
        let (receipts, auditor) = mpsc::sync_channel(capacity);
        (
            Arc::new(Bank::observed(balances, receipts, on_lock)),
            auditor,
        )
    }

    #[test]
    fn a_transfer_each_way_at_once_never_deadlocks() {
        // Every lock is held at the gate until both transfers have taken what they can:
        // 0 -> 1 and 1 -> 0 at the same time. Then the gate opens.
        let gate = Arc::new(Gate::new("each locked account"));
        let _release = gate.open_on_drop();
        let (bank, auditor) = {
            let gate = gate.clone();
            bank_with(&[100, 100], 4, move |_| gate.wait())
        };
        let watch = Watch::start();
        let transfers: Vec<_> = [(0, 1, 30), (1, 0, 50)]
            .into_iter()
            .map(|(from, to, amount)| {
                let bank = bank.clone();
                spawn_named(&format!("{from} to {to}"), move || {
                    bank.transfer(from, to, amount)
                })
            })
            .collect();
        watch.until_blocked(
            &|| transfers.iter().any(|t| t.is_finished()),
            "the transfers",
            "every lock they took was held at the gate",
            "a transfer finished while every lock it took was held: lock through `Bank::lock`",
        );
        gate.open();
        for transfer in transfers {
            assert!(transfer.join().expect("a transfer panicked"));
        }
        assert_eq!((bank.balance(0), bank.balance(1)), (120, 80));
        assert_eq!(auditor.try_iter().count(), 2, "one receipt per transfer");
    }

    #[test]
    fn an_audit_never_sees_money_in_flight() {
        // The auditor is held once it has locked account 1 (of 0, 1, 2); meanwhile a
        // transfer tries to move money from account 2 to account 0.
        let gate = Arc::new(Gate::new("the auditor, at account 1"));
        let _release = gate.open_on_drop();
        let (bank, _auditor) = {
            let gate = gate.clone();
            bank_with(&[10, 10, 10], 4, move |id| {
                if id == 1 && thread::current().name() == Some("auditor") {
                    gate.wait();
                }
            })
        };
        let audit = {
            let bank = bank.clone();
            spawn_named("auditor", move || bank.total())
        };
        gate.wait_for_held(1, "`total` never locked account 1");
        let watch = Watch::start();
        let transfer = {
            let bank = bank.clone();
            spawn_named("2 to 0", move || bank.transfer(2, 0, 5))
        };
        // (It may also finish, if `total` let go of account 0 already: the audit says so.)
        watch.until_blocked(
            &|| false,
            "the transfer",
            "the auditor was adding up",
            "a transfer must wait for accounts that `total` holds",
        );
        gate.open();
        assert!(transfer.join().expect("the transfer panicked"));
        assert_eq!(
            audit.join().expect("the audit panicked"),
            30,
            "the audit counted a transfer half done: `total` must hold every account's lock \
             at once while it adds them up"
        );
        assert_eq!(bank.total(), 30);
    }

    #[test]
    fn receipts_wait_with_no_account_locked() {
        // Nobody reads the receipts, and the channel holds none: the transfer waits in
        // `send`. Its accounts must be free meanwhile.
        let (bank, auditor) = bank_with(&[10, 10], 0, |_| {});
        let watch = Watch::start();
        let transfer = {
            let bank = bank.clone();
            spawn_named("0 to 1", move || bank.transfer(0, 1, 4))
        };
        watch.until_blocked(
            &|| transfer.is_finished(),
            "the transfer",
            "nobody took its receipt",
            "a transfer sends its receipt into the bounded channel it was given, and waits",
        );
        let reader = {
            let bank = bank.clone();
            Running::spawn("`balance`", move || bank.balance(0) + bank.balance(1))
        };
        reader.until_finished(
            "a transfer kept an account locked while it waited to send its receipt: let the \
             guards go before `send`",
        );
        assert_eq!(reader.join(), 20);
        let receipt = auditor.recv().unwrap();
        assert_eq!(
            receipt,
            Receipt {
                from: 0,
                to: 1,
                amount: 4,
                done: true
            }
        );
        assert!(transfer.join().unwrap());
    }

    #[test]
    fn many_threads_never_lose_money() {
        let accounts = 5;
        let (bank, auditor) = bank_with(&[1000; 5], 64, |_| {});
        let auditor = spawn_named("auditor", move || {
            auditor.iter().filter(|receipt| receipt.done).count()
        });
        let clerks: Vec<_> = (0..8)
            .map(|clerk| {
                let bank = bank.clone();
                spawn_named(&format!("clerk {clerk}"), move || {
                    let mut moved = 0;
                    for round in 0..400 {
                        let from = (clerk + round) % accounts;
                        let to = (from + 1 + round % (accounts - 1)) % accounts;
                        let amount = ((clerk * 37 + round * 11) % 300) as u64;
                        moved += usize::from(bank.transfer(from, to, amount));
                        if round % 50 == 0 {
                            assert_eq!(bank.total(), 5000, "money appeared or vanished");
                        }
                    }
                    moved
                })
            })
            .collect();
        let moved: usize = clerks.into_iter().map(|clerk| clerk.join().unwrap()).sum();
        drop(bank);
        assert_eq!(auditor.join().unwrap(), moved, "one receipt per transfer");
    }

    #[test]
    fn a_transfer_without_the_money_changes_nothing() {
        let (bank, auditor) = bank_with(&[5, 0], 4, |_| {});
        assert!(!bank.transfer(0, 1, 6));
        assert!(bank.transfer(0, 1, 5));
        assert!(!bank.transfer(0, 1, 1));
        assert_eq!((bank.balance(0), bank.balance(1)), (0, 5));
        let receipts: Vec<bool> = auditor.try_iter().map(|receipt| receipt.done).collect();
        assert_eq!(receipts, [false, true, false]);
    }
}
