//! # Never hold a lock across a `join`
//!
//! `join` (and the end of a `thread::scope`) waits for a thread to finish. If that thread
//! needs a lock you are holding, it never finishes: you wait for it, it waits for you.
//! Unlike an unlucky lock order, this deadlock needs no bad timing at all: it happens on
//! every run, and the grader shows the joining thread and the workers blocked on the lock.
//!
//! Below, `run_batch` counts the batch in shared `Stats`, starts one worker per input, and
//! each worker adds its result to the same `Stats`. The guard taken for the count is still
//! alive when the scope joins the workers. Lock for as short as you can: count, let go of
//! the guard (end its block, or `drop(guard)`), run the workers, and lock again afterwards
//! if there is more to record. (Or let the workers return their results through `join` and
//! lock once, at the end.)
//!
//! - std: <https://doc.rust-lang.org/std/thread/fn.scope.html>
//! - std: <https://doc.rust-lang.org/std/sync/struct.Mutex.html>
//! - rust_howto, shared state:
//!   <https://john-cd.com/rust_howto/categories/concurrency/shared_state.html>

use std::sync::Mutex;
use std::thread;

/// Shared statistics: how many batches ran, how many inputs the last one had, and every
/// worker's result.
#[derive(Debug, Default)]
pub struct Stats {
    pub batches: u32,
    pub last_batch_len: usize,
    pub results: Vec<u64>,
}

/// Runs `work` on every input, each on its own thread, all at once; each result is added to
/// `stats.results`. Counts the batch in `stats.batches` before the workers start, and sets
/// `stats.last_batch_len` once they have all finished.
pub fn run_batch<F>(stats: &Mutex<Stats>, inputs: &[u64], work: F)
where
    F: Fn(u64) -> u64 + Sync,
{
    let mut counted = stats.lock().unwrap();
    counted.batches += 1;
    // TODO: `counted` keeps `stats` locked until the end of the function, and the scope
    // below waits for workers that each need that lock.
    let work = &work;
    thread::scope(|scope| {
        for &input in inputs {
            thread::Builder::new()
                .name(format!("worker {input}"))
                .spawn_scoped(scope, move || {
                    let result = work(input);
                    stats.lock().unwrap().results.push(result);
                })
                .expect("could not start a worker");
        }
    });
    counted.last_batch_len = inputs.len();
}

fn main() {
    let stats = Mutex::new(Stats::default());
    run_batch(&stats, &[1, 2, 3, 4], |n| n * n);
    run_batch(&stats, &[10, 20], |n| n + 1);
    let mut stats = stats.into_inner().unwrap();
    stats.results.sort_unstable();
    println!("{stats:?}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use threadlings_testkit::{Gate, Watch};

    #[test]
    fn a_batch_records_every_result() {
        let stats = Mutex::new(Stats::default());
        run_batch(&stats, &[1, 2, 3, 4, 5], |n| n * 10);
        let mut stats = stats.into_inner().unwrap();
        stats.results.sort_unstable();
        assert_eq!(stats.results, [10, 20, 30, 40, 50]);
        assert_eq!((stats.batches, stats.last_batch_len), (1, 5));
    }

    #[test]
    fn batches_add_up() {
        let stats = Mutex::new(Stats::default());
        for round in 0..20 {
            run_batch(&stats, &[round, round + 100], |n| n);
        }
        run_batch(&stats, &[], |n| n);
        let stats = stats.into_inner().unwrap();
        assert_eq!(stats.results.len(), 40);
        assert_eq!(
            stats.results.iter().sum::<u64>(),
            2 * (0..20).sum::<u64>() + 2000
        );
        assert_eq!((stats.batches, stats.last_batch_len), (21, 0));
    }

    #[test]
    fn the_workers_run_at_the_same_time_and_are_waited_for() {
        // Every worker is held inside `work` until the test lets them all go: all four must
        // be held at once, and `run_batch` must wait for them, blocked.
        let gate = Arc::new(Gate::new("the workers"));
        let _release = gate.open_on_drop();
        let stats = Arc::new(Mutex::new(Stats::default()));
        let watch = Watch::start();
        let batch = {
            let (gate, stats) = (gate.clone(), stats.clone());
            thread::Builder::new()
                .name("run_batch".to_owned())
                .spawn(move || {
                    run_batch(&stats, &[1, 2, 3, 4], |n| {
                        gate.wait();
                        n
                    });
                })
                .unwrap()
        };
        watch.until_blocked(
            &|| batch.is_finished(),
            "`run_batch`",
            "its workers were busy",
            "`run_batch` must wait for every worker (join them, or use `thread::scope`)",
        );
        assert_eq!(
            gate.waiting(),
            4,
            "the workers did not run at the same time: start them all, then join them"
        );
        gate.open();
        batch.join().expect("`run_batch` panicked");
        let stats = stats.lock().unwrap();
        assert_eq!(stats.results.len(), 4, "{stats:?}");
        assert_eq!(stats.last_batch_len, 4);
    }
}
