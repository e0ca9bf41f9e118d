// ALT: a closed crossbeam channel as the shared queue instead of a Mutex<VecDeque>
use crossbeam::channel;
use std::thread;

/// Runs `work(job)` for every job, on `workers` threads that take jobs from one shared
/// queue; returns when every job is done.
pub fn run_jobs<J, F>(jobs: impl IntoIterator<Item = J>, workers: usize, work: F)
where
    J: Send,
    F: Fn(J) + Sync,
{
    // A channel is a queue with its own locking: no guard to keep short.
    let (sender, receiver) = channel::unbounded();
    for job in jobs {
        sender.send(job).expect("the receiver is alive");
    }
    drop(sender);
    thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                for job in receiver.iter() {
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
