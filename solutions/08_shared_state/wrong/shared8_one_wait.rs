// WRONG: waits at the barrier once: the leader runs `between` while the others already start phase two
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
    let barrier = Barrier::new(workers);
    thread::scope(|scope| {
        for id in 0..workers {
            let (barrier, phase1, between, phase2) = (&barrier, &phase1, &between, &phase2);
            scope.spawn(move || {
                phase1(id);
                // Every worker has finished phase one once anyone gets past this wait.
                if barrier.wait().is_leader() {
                    between();
                }
                phase2(id);
            });
        }
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
