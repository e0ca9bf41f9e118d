// WRONG: locks from then to, whichever way the money goes: two opposite transfers deadlock
//! # Capstone: a bank that never deadlocks and never loses money
//!
//! Every account has its own lock, so transfers between different accounts run at the
//! same time. Three rules from this topic keep the bank correct under any number of
//! threads:
//!
//! - **one lock order**: a transfer locks its two accounts lower id first, whichever way
//!   the money goes; two opposite transfers can then never hold one account each and wait
//!   for the other's (locks3);
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
            let mut from_balance = self.lock(from);
            let mut to_balance = self.lock(to);
            let (source, target) = (&mut from_balance, &mut to_balance);
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
