// ALT: roles swapped: a gatherer thread collects the results while the caller feeds the jobs
//! # Fan-out, fan-in, with bounded queues
//!
//! *Fan-out*: one queue of jobs, N workers taking from it. *Fan-in*: all workers send
//! their results into one queue, gathered in one place. Bounding both queues
//! (`bounded(capacity)`) bounds the memory and the work in flight: at most `capacity`
//! jobs wait, at most `capacity` results wait, and a producer that runs ahead simply
//! blocks in `send` (back-pressure).
//!
//! Bounded queues have one trap. If the same thread first feeds every job, then gathers
//! the results, it deadlocks as soon as there are more jobs than the pipeline can hold:
//! the result queue is full, so the workers wait; the job queue is full, so the feeder
//! waits, and nobody gathers. Feeding and gathering must happen at the same time, on
//! different threads.
//!
//! `start` builds unbounded queues: bound them. Then make `fan_out_fan_in` feed the jobs
//! from their own thread while the caller gathers.
//!
//! - crossbeam-channel: <https://docs.rs/crossbeam-channel/latest/crossbeam_channel/fn.bounded.html>,
//!   `Sender::capacity`:
//!   <https://docs.rs/crossbeam-channel/latest/crossbeam_channel/struct.Sender.html#method.capacity>
//! - rust_howto, message passing:
//!   <https://john-cd.com/rust_howto/categories/concurrency/message_passing.html>

use crossbeam::channel::{Receiver, Sender, bounded};
use std::thread::{self, JoinHandle};

/// A running fan-out/fan-in stage: N workers between two bounded queues.
pub struct FanOut {
    /// Where jobs go in. Holds at most `capacity` waiting jobs.
    pub jobs: Sender<u64>,
    /// Where results come out, as `(worker_id, result)`. Holds at most `capacity`.
    pub results: Receiver<(usize, u64)>,
    workers: Vec<JoinHandle<()>>,
}

/// Starts `workers` threads that take jobs from one queue and send
/// `(worker_id, work(worker_id, job))` into another; both queues hold at most `capacity`
/// messages.
pub fn start<F>(workers: usize, capacity: usize, work: F) -> FanOut
where
    F: Fn(usize, u64) -> u64 + Clone + Send + 'static,
{
    // Both queues are bounded: together with one job in each worker's hands, at most
    // 2 * capacity + workers jobs are ever in flight.
    let (jobs, job_rx) = bounded(capacity);
    let (result_tx, results) = bounded(capacity);
    let workers = (0..workers)
        .map(|id| {
            let (job_rx, result_tx, work) = (job_rx.clone(), result_tx.clone(), work.clone());
            thread::spawn(move || {
                for job in job_rx {
                    if result_tx.send((id, work(id, job))).is_err() {
                        break; // nobody gathers results any more
                    }
                }
            })
        })
        .collect();
    FanOut {
        jobs,
        results,
        workers,
    }
}

impl FanOut {
    /// Closes the job queue, gathers every result still to come, and waits for the
    /// workers to finish.
    pub fn finish(self) -> Vec<(usize, u64)> {
        drop(self.jobs);
        // Ends when every worker has finished and dropped its result Sender.
        let gathered = self.results.iter().collect();
        for worker in self.workers {
            if let Err(panic) = worker.join() {
                std::panic::resume_unwind(panic);
            }
        }
        gathered
    }
}

/// Runs every item through `workers` workers and gathers all `(worker_id, result)`
/// pairs, in no particular order.
pub fn fan_out_fan_in<F>(
    items: Vec<u64>,
    workers: usize,
    capacity: usize,
    work: F,
) -> Vec<(usize, u64)>
where
    F: Fn(usize, u64) -> u64 + Clone + Send + 'static,
{
    let FanOut {
        jobs,
        results,
        workers,
    } = start(workers, capacity, work);
    // The gatherer drains the results while this thread feeds the jobs.
    let gatherer = thread::spawn(move || results.iter().collect::<Vec<_>>());
    for item in items {
        jobs.send(item).expect("every worker stopped");
    }
    drop(jobs);
    for worker in workers {
        if let Err(panic) = worker.join() {
            std::panic::resume_unwind(panic);
        }
    }
    gatherer.join().expect("the gatherer panicked")
}

fn main() {
    let results = fan_out_fan_in((1..=12).collect(), 3, 2, |worker, job| {
        println!("worker {worker} cubes {job}");
        job * job * job
    });
    println!("gathered {} results: {results:?}", results.len());
}
