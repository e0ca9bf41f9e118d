// WRONG: releases the ledger, then spins on try_send while the channel is full: polling instead of blocking
//! # Never hold a lock across a blocking send
//!
//! A guard keeps its `Mutex` locked until it is dropped: the end of the block, not the end
//! of the line that used it. Hold one while you call something that blocks (a `send` into
//! a full bounded channel, a `recv`, a `join`), and every thread that needs the lock waits
//! with you. If the thread you are waiting for is one of them, nobody ever moves again.
//!
//! Below, a producer records each job in a shared ledger, then hands it to a consumer over
//! a bounded channel; the consumer processes the job and records it as done, in the same
//! ledger. When the channel is full the producer's `send` waits for the consumer to take a
//! job, and the consumer first needs the ledger... which the producer still holds. The
//! grader sees both threads blocked, and names the lines where they wait. Keep each
//! critical section short: lock, update, unlock, and only then block.
//!
//! - std: <https://doc.rust-lang.org/std/sync/struct.MutexGuard.html>
//! - std: <https://doc.rust-lang.org/std/sync/mpsc/fn.sync_channel.html>
//! - rust_howto, shared state:
//!   <https://john-cd.com/rust_howto/categories/concurrency/shared_state.html>

use std::sync::{Mutex, mpsc};
use std::thread;

/// What the producer queued and what the consumer finished, in order.
#[derive(Debug, Default)]
pub struct Ledger {
    pub queued: Vec<u32>,
    pub done: Vec<u32>,
}

/// Sends every job to a consumer thread over a channel that holds at most `capacity` jobs.
/// The producer (the caller's thread) records each job in `ledger.queued` before sending
/// it; the consumer calls `process(job)`, then records it in `ledger.done`. Returns once
/// every job is done.
pub fn deliver_all<I, F>(jobs: I, capacity: usize, ledger: &Mutex<Ledger>, process: F)
where
    I: IntoIterator<Item = u32>,
    F: Fn(u32) + Sync,
{
    let (tx, rx) = mpsc::sync_channel::<u32>(capacity);
    thread::scope(|scope| {
        thread::Builder::new()
            .name("consumer".to_owned())
            .spawn_scoped(scope, || {
                for job in rx {
                    process(job);
                    ledger.lock().unwrap().done.push(job);
                }
            })
            .expect("could not start the consumer");

        for job in jobs {
            // The guard is a temporary: it is dropped at the end of this statement, so the
            // ledger is free again before `send` can block.
            ledger.lock().unwrap().queued.push(job);
            let mut job = job;
            loop {
                match tx.try_send(job) {
                    Ok(()) => break,
                    Err(mpsc::TrySendError::Full(back)) => {
                        job = back;
                        thread::yield_now();
                    }
                    Err(mpsc::TrySendError::Disconnected(_)) => {
                        panic!("the consumer stopped early")
                    }
                }
            }
        }
        // The consumer's loop ends when the channel closes.
        drop(tx);
    });
}

fn main() {
    let ledger = Mutex::new(Ledger::default());
    deliver_all(1..=5, 1, &ledger, |job| println!("processing job {job}"));
    let ledger = ledger.into_inner().unwrap();
    println!("queued {:?}, done {:?}", ledger.queued, ledger.done);
}
