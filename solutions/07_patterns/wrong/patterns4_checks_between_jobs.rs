// WRONG: checks the cancel signal with `try_recv` between jobs, but waits for a job without it: an idle worker never sees the cancel
//! # Cancellation and shutdown
//!
//! Workers that loop over a job queue stop by themselves when the queue closes: that is
//! a *graceful* shutdown, every queued job gets done. *Cancelling* is different: stop
//! soon, leave the queued jobs alone. A channel makes a good cancel signal, without ever
//! sending on it: every worker holds a `Receiver`, and dropping the one `Sender`
//! disconnects it for all of them at once, a broadcast no worker can miss.
//!
//! A worker must watch both channels at once, with `select!`: an idle worker blocked on
//! the job queue must wake up when cancelled. And when both are ready (the cancel signal
//! and a waiting job), plain `select!` picks one at random, so a cancelled worker could
//! keep taking jobs. `select_biased!` tries its arms in order: put the cancel arm first.
//! A job already in a worker's hands is finished, never cut short.
//!
//! The workers below ignore the cancel signal. Make them stop when it arrives.
//!
//! - crossbeam-channel, `select_biased!`:
//!   <https://docs.rs/crossbeam-channel/latest/crossbeam_channel/macro.select_biased.html>
//! - rust_howto, message passing:
//!   <https://john-cd.com/rust_howto/categories/concurrency/message_passing.html>

use crossbeam::channel::{Receiver, Sender, TryRecvError, bounded, unbounded};
use std::thread::{self, JoinHandle};

/// Workers sharing one job queue, which can be cancelled.
pub struct Pool {
    /// Never sent on: dropping it is the cancel signal.
    cancel: Option<Sender<()>>,
    workers: Vec<JoinHandle<usize>>,
}

/// Starts `workers` threads that take jobs from `jobs` and run `work(job)` on each, until
/// the job queue is closed and empty, or until the pool is cancelled.
pub fn start_pool<F>(workers: usize, jobs: Receiver<u64>, work: F) -> Pool
where
    F: Fn(u64) + Clone + Send + 'static,
{
    let (cancel, cancelled) = bounded::<()>(0);
    let workers = (0..workers)
        .map(|_| {
            let (jobs, cancelled, work) = (jobs.clone(), cancelled.clone(), work.clone());
            thread::spawn(move || {
                let mut done = 0;
                loop {
                    // Stop if cancelled (a disconnected channel means cancelled).
                    if let Err(TryRecvError::Disconnected) = cancelled.try_recv() {
                        break;
                    }
                    let Ok(job) = jobs.recv() else { break };
                    work(job);
                    done += 1;
                }
                done
            })
        })
        .collect();
    Pool {
        cancel: Some(cancel),
        workers,
    }
}

impl Pool {
    /// Tells every worker to stop: each finishes the job in its hands, then takes no new
    /// one. Does not wait; `join` does.
    pub fn cancel(&mut self) {
        // Dropping the only Sender disconnects every worker's `cancelled` at once.
        self.cancel.take();
    }

    /// Waits for every worker to stop; returns how many jobs they completed in all.
    pub fn join(self) -> usize {
        let mut done = 0;
        for worker in self.workers {
            match worker.join() {
                Ok(count) => done += count,
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        // `self.cancel` is dropped only now: until then, an uncancelled pool keeps going.
        done
    }
}

fn main() {
    let (jobs, queue) = unbounded();
    for job in 0..1000 {
        jobs.send(job).unwrap();
    }
    let mut pool = start_pool(3, queue.clone(), |job| {
        if job % 100 == 0 {
            println!("working on job {job}");
        }
        thread::sleep(std::time::Duration::from_millis(1));
    });
    thread::sleep(std::time::Duration::from_millis(50));
    pool.cancel();
    let done = pool.join();
    println!(
        "cancelled after {done} jobs; {} left in the queue",
        queue.len()
    );
}
