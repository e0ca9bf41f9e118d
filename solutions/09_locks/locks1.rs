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
            tx.send(job).expect("the consumer stopped early");
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use threadlings_testkit::{Gate, Watch};

    #[test]
    fn a_full_channel_blocks_the_producer_but_not_the_ledger() {
        // The consumer is held in its first job until the channel is full and the producer
        // waits in `send`; then it is let go, and must be able to record its job.
        let gate = Arc::new(Gate::new("the consumer's first job"));
        let _release = gate.open_on_drop();
        let pulled = Arc::new(AtomicUsize::new(0));
        let ledger = Arc::new(Mutex::new(Ledger::default()));
        let watch = Watch::start();
        let producer = {
            let (gate, pulled, ledger) = (gate.clone(), pulled.clone(), ledger.clone());
            thread::Builder::new()
                .name("producer".to_owned())
                .spawn(move || {
                    let jobs = (1..=10).inspect(move |_| {
                        pulled.fetch_add(1, Ordering::SeqCst);
                    });
                    deliver_all(jobs, 2, &ledger, |job| {
                        if job == 1 {
                            gate.wait();
                        }
                    });
                })
                .unwrap()
        };
        watch.until_blocked(
            &|| producer.is_finished(),
            "`deliver_all`",
            "the consumer was busy with its first job",
            "the producer should wait in `send` for room in a bounded channel",
        );
        let pulled = pulled.load(Ordering::SeqCst);
        assert!(
            pulled <= 4,
            "the producer took {pulled} jobs while the consumer was busy with the first one and \
             the channel holds 2: it did not wait for room (use `sync_channel(capacity)`)"
        );
        // Now the consumer records its first job: it needs the ledger.
        gate.open();
        producer.join().expect("`deliver_all` panicked");
        let ledger = ledger.lock().unwrap();
        assert_eq!(ledger.queued, (1..=10).collect::<Vec<_>>());
        assert_eq!(ledger.done, (1..=10).collect::<Vec<_>>());
    }

    #[test]
    fn every_job_is_queued_then_done_in_order() {
        let ledger = Mutex::new(Ledger::default());
        deliver_all(0..200, 1, &ledger, |_| {});
        let ledger = ledger.into_inner().unwrap();
        assert_eq!(ledger.queued, (0..200).collect::<Vec<_>>());
        assert_eq!(ledger.done, (0..200).collect::<Vec<_>>());
    }

    #[test]
    fn no_jobs_is_fine() {
        let ledger = Mutex::new(Ledger::default());
        deliver_all(std::iter::empty(), 3, &ledger, |_| {});
        let ledger = ledger.into_inner().unwrap();
        assert!(ledger.queued.is_empty() && ledger.done.is_empty());
    }
}
