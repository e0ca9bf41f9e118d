//! # `Barrier`: everyone finishes a phase before anyone starts the next
//!
//! Many parallel algorithms work in phases: every worker computes its part of step one,
//! then every worker needs the results of *all* of step one to compute step two (a
//! simulation's time steps, the passes of a parallel sort). A worker that starts phase two
//! early reads results that are not there yet.
//!
//! A `Barrier` for `n` threads makes each caller of `wait()` sleep until `n` of them have
//! called it; then all go on together, and the barrier is ready for the next round. One
//! of them gets a `BarrierWaitResult` whose `is_leader()` is true: the place for work that
//! must happen exactly once between two phases (merging the partial results), followed by
//! a second `wait()` so that nobody starts phase two before the leader is done.
//!
//! - std, `Barrier`: <https://doc.rust-lang.org/std/sync/struct.Barrier.html>
//! - rust_howto, shared state:
//!   <https://john-cd.com/rust_howto/categories/concurrency/shared_state.html>

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
                // The leader arrives here only after `between`: nobody starts phase two
                // before it is done.
                barrier.wait();
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use threadlings_testkit::{Gate, Rendezvous, Running};

    const WORKERS: usize = 4;

    /// How many times each phase ran.
    #[derive(Default)]
    struct Counts {
        phase1: AtomicUsize,
        between: AtomicUsize,
        phase2: AtomicUsize,
    }

    impl Counts {
        fn get(&self) -> (usize, usize, usize) {
            (
                self.phase1.load(Ordering::SeqCst),
                self.between.load(Ordering::SeqCst),
                self.phase2.load(Ordering::SeqCst),
            )
        }
    }

    /// Runs the phases in a `Running`, counting; `hold_phase1` holds worker 0's phase one
    /// at the gate, `hold_between` holds `between` there.
    fn run_counted(
        counts: &Arc<Counts>,
        gate: &Arc<Gate>,
        hold_phase1: bool,
        hold_between: bool,
    ) -> Running<()> {
        let (counts, gate) = (Arc::clone(counts), Arc::clone(gate));
        Running::spawn("`run_in_phases`", move || {
            run_in_phases(
                WORKERS,
                |id| {
                    if hold_phase1 && id == 0 {
                        gate.wait();
                    }
                    counts.phase1.fetch_add(1, Ordering::SeqCst);
                },
                || {
                    if hold_between {
                        gate.wait();
                    }
                    counts.between.fetch_add(1, Ordering::SeqCst);
                },
                |_| {
                    counts.phase2.fetch_add(1, Ordering::SeqCst);
                },
            );
        })
    }

    #[test]
    fn no_worker_starts_phase_two_before_every_worker_finished_phase_one() {
        let counts = Arc::new(Counts::default());
        let gate = Arc::new(Gate::new("worker 0's phase one"));
        let _release = gate.open_on_drop();
        let running = run_counted(&counts, &gate, true, false);
        gate.wait_for_held(1, "worker 0 never started phase one");
        running.until_blocked(
            "worker 0 was still in phase one",
            "the other workers must wait for it, blocked (a `Barrier`), not sleep",
        );
        assert_eq!(
            counts.get(),
            (WORKERS - 1, 0, 0),
            "(phase one, between, phase two) ran that many times while worker 0 was still \
             in phase one: nothing may go on before every worker finished phase one"
        );
        gate.open();
        running.until_finished("the workers never got past the barrier");
        running.join();
        assert_eq!(counts.get(), (WORKERS, 1, WORKERS));
    }

    #[test]
    fn between_runs_once_before_any_phase_two() {
        let counts = Arc::new(Counts::default());
        let gate = Arc::new(Gate::new("`between`"));
        let _release = gate.open_on_drop();
        let running = run_counted(&counts, &gate, false, true);
        gate.wait_for_held(1, "`between` never ran");
        running.until_blocked(
            "`between` was running",
            "the workers must wait for `between` to finish, blocked",
        );
        let (phase1, _, phase2) = counts.get();
        assert_eq!(
            phase1, WORKERS,
            "`between` started before phase one was over"
        );
        assert_eq!(
            phase2, 0,
            "{phase2} workers started phase two while `between` was still running: wait \
             at the barrier a second time, after the leader's `between`"
        );
        gate.open();
        running.until_finished("the workers never got past the second barrier");
        running.join();
        assert_eq!(
            counts.get(),
            (WORKERS, 1, WORKERS),
            "(phase one, between, phase two) ran that many times: `between` runs exactly \
             once (only the leader runs it)"
        );
    }

    #[test]
    fn each_worker_runs_both_phases_on_its_own_thread_all_at_once() {
        let phase1_meeting = Rendezvous::new(WORKERS, "the workers did not run phase one at once");
        let phase2_meeting = Rendezvous::new(WORKERS, "the workers did not run phase two at once");
        let threads = Mutex::new(BTreeMap::new());
        run_in_phases(
            WORKERS,
            |id| {
                phase1_meeting.arrive();
                threads
                    .lock()
                    .unwrap()
                    .insert((id, 1), thread::current().id());
            },
            || {},
            |id| {
                phase2_meeting.arrive();
                threads
                    .lock()
                    .unwrap()
                    .insert((id, 2), thread::current().id());
            },
        );
        let threads = threads.into_inner().unwrap();
        for id in 0..WORKERS {
            assert_eq!(
                threads.get(&(id, 1)),
                threads.get(&(id, 2)),
                "worker {id} ran its two phases on different threads: a worker keeps its \
                 thread from phase one to phase two"
            );
        }
        let distinct: std::collections::HashSet<_> = threads.values().collect();
        assert_eq!(
            distinct.len(),
            WORKERS,
            "each worker has a thread of its own"
        );
    }
}
