// WRONG: no shared queue: one thread per job, ignoring `workers`
use std::collections::VecDeque;
use std::sync::Mutex;
use std::thread;

/// Runs `work(job)` for every job, on `workers` threads that take jobs from one shared
/// queue; returns when every job is done.
pub fn run_jobs<J, F>(jobs: impl IntoIterator<Item = J>, workers: usize, work: F)
where
    J: Send,
    F: Fn(J) + Sync,
{
    let queue: Mutex<VecDeque<J>> = Mutex::new(jobs.into_iter().collect());
    let _ = workers;
    let jobs: Vec<J> = queue.into_inner().unwrap().into();
    let work = &work;
    thread::scope(|scope| {
        for job in jobs {
            scope.spawn(move || work(job));
        }
    });
}

fn main() {
    run_jobs(1..=6, 3, |job: u64| {
        let name = thread::current().id();
        println!("{name:?} computed {job}² = {}", job * job);
    });
}
