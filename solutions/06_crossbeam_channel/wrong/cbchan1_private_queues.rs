// WRONG: deals the jobs round-robin to one channel per worker: jobs wait behind a busy worker
//! # crossbeam channels: many consumers share the work
//!
//! `std::sync::mpsc` has a single consumer: its `Receiver` cannot be cloned. The channels
//! of `crossbeam::channel` are *multi-producer, multi-consumer*: both `Sender` and
//! `Receiver` implement `Clone`, so several worker threads can pull jobs from one queue.
//! Each message goes to exactly one receiver, whichever asks first, so the workers share
//! the load by themselves. `unbounded()` and `bounded(n)` build them; the channel closes
//! when every `Sender` is gone (or every `Receiver`), just like std's.
//!
//! `spsc_sum` is the warm-up, already done: one producer, one consumer, an unbounded
//! crossbeam channel. `distribute` still uses std's channel and tries to clone its
//! `Receiver`, which does not compile. Make it share one crossbeam `Receiver` between the
//! workers.
//!
//! - crossbeam-channel: <https://docs.rs/crossbeam-channel/latest/crossbeam_channel/>
//! - crossbeam: <https://docs.rs/crossbeam/latest/crossbeam/channel/index.html>
//! - rust_howto, message passing (crossbeam-channel):
//!   <https://john-cd.com/rust_howto/categories/concurrency/message_passing.html>

use crossbeam::channel::unbounded;
use std::thread;

/// Warm-up: a producer thread sends `1..=n` over an unbounded channel; the caller receives
/// and adds them up.
pub fn spsc_sum(n: u64) -> u64 {
    let (tx, rx) = unbounded();
    let producer = thread::spawn(move || {
        for i in 1..=n {
            tx.send(i).expect("the consumer hung up");
        }
    });
    let sum = rx.iter().sum();
    producer.join().expect("the producer panicked");
    sum
}

/// Starts `workers` threads sharing one job queue, and feeds every job into it. Each job
/// is handled by exactly one worker, which calls `handle(worker_id, job)`. Returns
/// `(worker_id, handle's result)` for every job, in no particular order.
pub fn distribute<F>(jobs: Vec<u64>, workers: usize, handle: F) -> Vec<(usize, u64)>
where
    F: Fn(usize, u64) -> u64 + Clone + Send + 'static,
{
    let mut queues = Vec::new();
    let handles: Vec<_> = (0..workers)
        .map(|id| {
            // One queue per worker: no contention on a shared queue.
            let (job_tx, job_rx) = unbounded();
            queues.push(job_tx);
            let handle = handle.clone();
            thread::spawn(move || {
                job_rx
                    .iter()
                    .map(|job| (id, handle(id, job)))
                    .collect::<Vec<_>>()
            })
        })
        .collect();

    for (turn, job) in jobs.into_iter().enumerate() {
        queues[turn % workers].send(job).expect("a worker stopped");
    }
    drop(queues);

    let mut results = Vec::new();
    for worker in handles {
        match worker.join() {
            Ok(done) => results.extend(done),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
    results
}

fn main() {
    println!("1 + 2 + ... + 100 = {}", spsc_sum(100));
    let results = distribute((1..=8).collect(), 3, |worker, job| {
        println!("worker {worker} squares {job}");
        job * job
    });
    println!("{results:?}");
}
