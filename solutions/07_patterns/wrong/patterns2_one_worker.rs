// WRONG: starts one worker whatever `workers` says
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
    let _ = workers;
    let workers = (0..1)
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
    let fan = start(workers, capacity, work);
    // The feeder runs on its own thread, so that the caller can gather at the same time.
    // Its clone of the job Sender keeps the queue open until every item is in.
    let jobs = fan.jobs.clone();
    let feeder = thread::spawn(move || {
        for item in items {
            if jobs.send(item).is_err() {
                break;
            }
        }
    });
    let results = fan.finish();
    if let Err(panic) = feeder.join() {
        std::panic::resume_unwind(panic);
    }
    results
}

fn main() {
    let results = fan_out_fan_in((1..=12).collect(), 3, 2, |worker, job| {
        println!("worker {worker} cubes {job}");
        job * job * job
    });
    println!("gathered {} results: {results:?}", results.len());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossbeam::channel::TrySendError;
    use std::sync::Arc;
    use threadlings_testkit::{Gate, Running, Watch};

    /// Runs fan_out_fan_in on a watched thread, so that a deadlock fails at once.
    fn run<F>(items: Vec<u64>, workers: usize, capacity: usize, work: F) -> Vec<(usize, u64)>
    where
        F: Fn(usize, u64) -> u64 + Clone + Send + 'static,
    {
        let running = Running::spawn("`fan_out_fan_in`", move || {
            fan_out_fan_in(items, workers, capacity, work)
        });
        running.until_finished(STUCK);
        running.join()
    }

    const STUCK: &str = "with bounded queues, feeding every job before gathering any result \
                         deadlocks. Feed the jobs from their own thread while the caller \
                         gathers";

    #[test]
    fn every_job_is_processed_exactly_once() {
        let results = run((0..300).collect(), 4, 2, |_, job| job * 3);
        let mut outputs: Vec<u64> = results.iter().map(|&(_, output)| output).collect();
        outputs.sort_unstable();
        assert_eq!(outputs.len(), 300, "wrong number of results");
        assert!(
            outputs.iter().copied().eq((0..300).map(|job| job * 3)),
            "some jobs were lost or processed twice"
        );
    }

    #[test]
    fn the_workers_run_at_the_same_time() {
        // Jobs 0, 1 and 2 each wait at the gate: three different workers must hold them
        // at the same time.
        let gate = Arc::new(Gate::new("jobs 0, 1 and 2"));
        let _release = gate.open_on_drop();
        let held = Arc::clone(&gate);
        let running = Running::spawn("`fan_out_fan_in`", move || {
            fan_out_fan_in((0..30).collect(), 3, 1, move |_, job| {
                if job < 3 {
                    held.wait();
                }
                job
            })
        });
        running.until_blocked(
            "its workers were held at the gate",
            "gather the results blocked in `recv` (`iter()`)",
        );
        let waiting = gate.waiting();
        gate.open();
        assert_eq!(
            waiting, 3,
            "only {waiting} of 3 workers ran at the same time: start them all, each with a \
             clone of the job Receiver"
        );
        running.until_finished(STUCK);
        assert_eq!(running.join().len(), 30);
    }

    #[test]
    fn both_queues_are_bounded() {
        let fan = start(2, 3, |_, job| job);
        assert_eq!(fan.jobs.capacity(), Some(3), "the job queue's capacity");
        assert_eq!(
            fan.results.capacity(),
            Some(3),
            "the result queue's capacity"
        );
        assert_eq!(fan.finish(), Vec::new());
    }

    #[test]
    fn a_full_pipeline_pushes_back_on_the_producer() {
        // Every worker blocks on its first job until the gate opens (when `gate` drops).
        let watch = Watch::start();
        let (gate, gate_rx) = crossbeam::channel::bounded::<()>(0);
        let fan = start(2, 3, move |_, job| {
            let _ = gate_rx.recv();
            job
        });
        for job in 0..3 {
            fan.jobs
                .try_send(job)
                .expect("the job queue refused one of its first 3 jobs");
        }
        // Once the workers are blocked, each holds one job: the queue has room for 2.
        watch.until_blocked(
            &|| false,
            "the workers",
            "each was stuck in its first job",
            "a worker waits for jobs blocked in `recv`",
        );
        for job in 3..5 {
            fan.jobs.try_send(job).expect(
                "the pipeline refused a job although the queue had room for it: are both \
                 workers taking jobs?",
            );
        }
        assert!(
            matches!(fan.jobs.try_send(5), Err(TrySendError::Full(5))),
            "both workers are busy and 3 jobs are waiting, yet the job queue took one more: \
             it must hold at most `capacity` jobs"
        );
        drop(gate);
        let mut outputs: Vec<u64> = fan.finish().iter().map(|&(_, output)| output).collect();
        outputs.sort_unstable();
        assert_eq!(outputs, vec![0, 1, 2, 3, 4], "the accepted jobs all finish");
    }
}
