// ALT: names the guard and drops it by hand before running the job
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
                    let mut guard = queue.lock().unwrap();
                    let next = guard.pop_front();
                    // Unlock before the slow part.
                    drop(guard);
                    let Some(job) = next else { break };
                    work(job);
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
