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

#[cfg(test)]
mod tests {
    use super::*;
    use crossbeam::channel::bounded;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use threadlings_testkit::{Rendezvous, Waited, Watch};

    /// Joins the pool, failing clearly (and at once) if the workers do not stop. `watch`
    /// was started before the pool, so the workers are watched.
    fn join_within_bound(watch: &Watch, pool: Pool, likely_mistake: &'static str) -> usize {
        let joiner = thread::spawn(move || pool.join());
        match watch.wait_finished(&|| joiner.is_finished()) {
            Waited::Finished => joiner.join().expect("a worker panicked"),
            Waited::Blocked => panic!(
                "the workers did not stop: they all wait, and nothing will wake them; \
                 {likely_mistake}"
            ),
            Waited::Busy(seen) => panic!("the workers did not stop ({seen}): {likely_mistake}"),
        }
    }

    #[test]
    fn idle_workers_wait_blocked_for_a_job_or_the_cancel_signal() {
        let watch = Watch::start();
        let (jobs, queue) = unbounded::<u64>();
        let mut pool = start_pool(2, queue, |_| {});
        watch.until_blocked(
            &|| false,
            "the idle pool",
            "no job came",
            "an idle worker waits on both channels at once (select!), blocked: no polling \
             of a cancel flag, no timeout",
        );
        pool.cancel();
        assert_eq!(
            join_within_bound(&watch, pool, "select! over both channels"),
            0
        );
        drop(jobs);
    }

    #[test]
    fn idle_workers_stop_when_cancelled() {
        let watch = Watch::start();
        let (jobs, queue) = unbounded();
        let mut pool = start_pool(3, queue, |_| {});
        pool.cancel();
        let done = join_within_bound(
            &watch,
            pool,
            "a worker waiting for a job must also wait for the cancel signal: select! over \
             both channels",
        );
        assert_eq!(done, 0);
        // The job queue was open all along: only the cancel signal stopped the workers.
        drop(jobs);
    }

    #[test]
    fn cancelled_workers_finish_their_job_and_leave_the_queue() {
        let watch = Watch::start();
        let (jobs, queue) = unbounded();
        for job in 0..100 {
            jobs.send(job).unwrap();
        }
        // Each worker meets the test with a job in hands, then waits at the gate.
        let meeting = Arc::new(Rendezvous::new(
            4,
            "the three workers did not all take a job",
        ));
        let (gate, gate_rx) = bounded::<()>(0);
        let (started, finished) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let mut pool = start_pool(3, queue.clone(), {
            let (meeting, started, finished) = (
                Arc::clone(&meeting),
                Arc::clone(&started),
                Arc::clone(&finished),
            );
            move |_| {
                if started.fetch_add(1, Ordering::SeqCst) < 3 {
                    meeting.arrive();
                    let _ = gate_rx.recv(); // returns once `gate` is dropped
                }
                finished.fetch_add(1, Ordering::SeqCst);
            }
        });
        meeting.arrive();
        // All three workers are in the middle of a job: cancel, then let them finish it.
        pool.cancel();
        drop(gate);
        let done = join_within_bound(
            &watch,
            pool,
            "once cancelled, a worker finishes the job in its hands, then stops",
        );
        assert_eq!(
            finished.load(Ordering::SeqCst),
            3,
            "the jobs in hand are finished"
        );
        assert_eq!(
            started.load(Ordering::SeqCst),
            3,
            "a cancelled worker took a new job: when both the cancel signal and a job are \
             ready, the cancel signal must win (select_biased!, cancel arm first)"
        );
        assert_eq!(done, 3);
        assert_eq!(queue.len(), 97, "the queued jobs are left in the queue");
        drop(jobs);
    }

    #[test]
    fn a_cancelled_worker_takes_no_new_job_even_when_jobs_are_waiting() {
        // One worker, cancelled while it holds job `first_jobs`, with jobs still waiting:
        // it must stop after that job, every time. (Plain select! picks one of two ready
        // channels at random: 40 rounds expose it in all but one run in 2^40.)
        for first_jobs in 0..40 {
            let watch = Watch::start();
            let (jobs, queue) = unbounded();
            for job in 0..50 {
                jobs.send(job).unwrap();
            }
            let meeting = Arc::new(Rendezvous::new(2, "the worker never reached its job"));
            let (gate, gate_rx) = bounded::<()>(0);
            let mut pool = start_pool(1, queue.clone(), {
                let meeting = Arc::clone(&meeting);
                move |job| {
                    if job == first_jobs {
                        meeting.arrive();
                        let _ = gate_rx.recv();
                    }
                }
            });
            meeting.arrive();
            pool.cancel();
            drop(gate);
            let done = join_within_bound(
                &watch,
                pool,
                "once cancelled, a worker finishes the job in its hands, then stops",
            );
            assert_eq!(
                done,
                first_jobs as usize + 1,
                "cancelled while holding job {first_jobs}, the worker went on with more: \
                 when both the cancel signal and a job are ready, the cancel signal must win \
                 (select_biased!, cancel arm first)"
            );
            assert_eq!(queue.len(), 50 - done, "the waiting jobs stay in the queue");
            drop(jobs);
        }
    }

    #[test]
    fn closing_the_job_queue_drains_it() {
        let watch = Watch::start();
        let (jobs, queue) = unbounded();
        for job in 0..30 {
            jobs.send(job).unwrap();
        }
        drop(jobs);
        let seen = Arc::new(AtomicUsize::new(0));
        let pool = start_pool(3, queue, {
            let seen = Arc::clone(&seen);
            move |_| {
                seen.fetch_add(1, Ordering::SeqCst);
            }
        });
        let done = join_within_bound(
            &watch,
            pool,
            "a closed, empty job queue means the work is over: stop there",
        );
        assert_eq!(done, 30);
        assert_eq!(seen.load(Ordering::SeqCst), 30);
    }
}
