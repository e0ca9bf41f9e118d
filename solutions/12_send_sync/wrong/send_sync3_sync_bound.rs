// WRONG: promises `Sync` when the jobs are `Sync`: jobs only move to a worker, so `Send` is what they need; a queue of `Cell` jobs cannot be shared, and one of `Sync`-only jobs can
use std::sync::mpsc::{self, Receiver};
use std::thread;

/// Jobs for a crew of workers: each job goes to whichever worker asks first.
pub struct JobQueue<T> {
    jobs: Receiver<T>,
}

// The queue is as shareable as its jobs are.
unsafe impl<T: Sync> Sync for JobQueue<T> {}

impl<T> JobQueue<T> {
    pub fn new(jobs: Receiver<T>) -> Self {
        JobQueue { jobs }
    }

    /// The next job, waiting for one if need be; `None` once every `Sender` is gone and
    /// every job has been taken.
    pub fn next(&self) -> Option<T> {
        self.jobs.recv().ok()
    }
}

/// Runs `work` on every job of `queue`, with `workers` threads sharing it.
pub fn run_crew<T: Send + Sync>(queue: &JobQueue<T>, workers: usize, work: impl Fn(T) + Sync) {
    thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while let Some(job) = queue.next() {
                    work(job);
                }
            });
        }
    });
}

fn main() {
    let (tx, rx) = mpsc::channel();
    for page in 1..=6 {
        tx.send(format!("page {page}")).unwrap();
    }
    drop(tx);
    let queue = JobQueue::new(rx);
    run_crew(&queue, 3, |page| {
        println!("{:?} printed {page}", thread::current().id());
    });
}
