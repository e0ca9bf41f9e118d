// WRONG: keeps the bare `Receiver` and promises `Sync` for every `T`: the workers share a single-consumer end, and jobs that cannot move to a worker's thread are queued anyway
use std::sync::mpsc::{self, Receiver};
use std::thread;

/// Jobs for a crew of workers: each job goes to whichever worker asks first.
pub struct JobQueue<T> {
    jobs: Receiver<T>,
}

// "Fixes" the compile error: the compiler believes the promise.
unsafe impl<T> Sync for JobQueue<T> {}

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
pub fn run_crew<T: Send>(queue: &JobQueue<T>, workers: usize, work: impl Fn(T) + Sync) {
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
