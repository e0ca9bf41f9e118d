// ALT: the calling thread joins the barrier as one more party and runs `between` itself
use std::sync::{Barrier, Mutex};
use std::thread;

/// Runs `workers` worker threads, each through two phases: every worker runs
/// `phase1(id)`; once all of them have, `between()` runs exactly once; then every worker
/// runs `phase2(id)`. A worker keeps its thread for both phases (its thread-local state,
/// its caches). Returns when every worker is done.
pub fn run_in_phases<P1, B, P2>(workers: usize, phase1: P1, between: B, phase2: P2)
where
    P1: Fn(usize) + Sync,
    B: Fn() + Sync,
    P2: Fn(usize) + Sync,
{
    // The workers and the caller.
    let barrier = Barrier::new(workers + 1);
    thread::scope(|scope| {
        for id in 0..workers {
            let (barrier, phase1, phase2) = (&barrier, &phase1, &phase2);
            scope.spawn(move || {
                phase1(id);
                // Every worker has finished phase one once anyone gets past this wait.
                barrier.wait();
                // The leader arrives here only after `between`: nobody starts phase two
                // before it is done.
                barrier.wait();
                phase2(id);
            });
        }
        barrier.wait();
        between();
        barrier.wait();
    });
}

fn main() {
    let data = Mutex::new(vec![1u64, 2, 3, 4]);
    let total = Mutex::new(0);
    run_in_phases(
        4,
        |id| data.lock().unwrap()[id] *= 10,
        || *total.lock().unwrap() = data.lock().unwrap().iter().sum(),
        |id| {
            let share = data.lock().unwrap()[id] * 100 / *total.lock().unwrap();
            println!("worker {id}: {share}% of the total");
        },
    );
}
