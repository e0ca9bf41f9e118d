// WRONG: takes the job in a `match` scrutinee, whose guard lives until the end of the `match`, across `work`
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
    thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    match queue.lock().unwrap().pop_front() {
                        Some(job) => work(job),
                        None => break,
                    }
                }
            });
        }
    });
}

fn main() {
    run_jobs(1..=6, 3, |job: u64| {
        let name = thread::current().id();
        println!("{name:?} computed {job}² = {}", job * job);
    });
}
