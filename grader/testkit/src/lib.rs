//! Helpers the exercises' tests use to prove concurrency properties by construction.
//!
//! Timing is never the proof. A [`Rendezvous`] proves that several threads were running
//! *at the same time*: every party must arrive before any may leave, so a sequential
//! answer (spawn a thread, join it, spawn the next) can never get past it. The bound only
//! turns "would wait forever" into a failing test with a message that names the likely
//! mistake; it is never what makes a correct answer pass. On Linux a party gives up
//! sooner, as soon as it is certain that nobody else can arrive: every other thread of
//! the process is blocked for good (see `stuck.rs`), so a sequential answer fails in a
//! fraction of a second with the same message.
//!
//! Memory orderings cannot be proven by running code on one machine (x86 hides most
//! too-weak orderings): model-checked exercises write their code against [`sync`] and
//! their tests inside [`model`], which explores every interleaving under the grader's
//! model-check build and runs the closure once otherwise.
//!
//! The other tools: [`Watch`] and [`Running`] (did the learner's code *block* while the
//! test kept it waiting, or poll, sleep or return?), [`CpuMeter`] (CPU used against wall
//! time), [`Gate`] (hold a thread inside a window until the test lets it go) and
//! [`ThreadLog`] (which thread ran which job).

mod cpu;
mod data_parallelism;
mod gate;
mod identity;
mod peers;

pub use cpu::{
    CpuMeter, POLLING_CPU, ThreadSample, ThreadState, Tid, WATCH_BOUND, Waited, Watch,
    assume_tests_run_one_at_a_time, current_tid, process_cpu_time, tests_run_one_at_a_time,
    thread_cpu_time,
};
pub use data_parallelism::Meeting;
pub use gate::{GATE_BOUND, Gate, OpenOnDrop};
pub use identity::{Ran, ThreadLog};
pub use peers::{JOIN_BOUND, Running};

use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

mod stuck;

pub mod sync;

/// The preemption bound of [`model`] when `LOOM_MAX_PREEMPTIONS` is not set (the grader
/// sets it per exercise, with the same default). Bugs in small lessons show within two.
pub const DEFAULT_PREEMPTIONS: usize = 2;

/// Checks `body` under the model checker: every interleaving of the threads it spawns
/// through [`sync::thread`], within the bounds in `LOOM_MAX_PREEMPTIONS` and
/// `LOOM_MAX_BRANCHES` (the grader sets them from `info.toml`). A causality violation, a
/// failed assertion or a deadlock in any explored execution panics with loom's report
/// (with `LOOM_LOCATION=1`, the source lines of the accesses involved).
///
/// In a normal build (no `--cfg loom`) it runs `body` once, on real threads.
pub fn model<F>(body: F)
where
    F: Fn() + Sync + Send + 'static,
{
    #[cfg(loom)]
    {
        report_deadlocks_on_stderr();
        let mut builder = loom::model::Builder::new();
        if builder.preemption_bound.is_none() {
            builder.preemption_bound = Some(DEFAULT_PREEMPTIONS);
        }
        builder.check(body);
    }
    #[cfg(not(loom))]
    body();
}

/// What starts the line [`model`] writes to stderr when the model checker finds a
/// deadlock; the grader reads it.
pub const DEADLOCK_MARKER: &str = "threadlings model check:";

/// Loom reports a deadlock by panicking inside its scheduler; unwinding then drops the
/// blocked threads' lock guards, which panic again, and the process aborts before libtest
/// prints the test's captured output. So the report also goes straight to stderr, which
/// libtest does not capture.
#[cfg(loom)]
fn report_deadlocks_on_stderr() {
    use std::io::Write as _;
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let payload = info.payload();
            let message = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or_default();
            if message.starts_with("deadlock;") {
                let _ = writeln!(
                    std::io::stderr(),
                    "{DEADLOCK_MARKER} {}",
                    message.replace('\n', " ")
                );
            }
            previous(info);
        }));
    });
}

/// How long a party waits for the others before the rendezvous gives up.
///
/// Generous on purpose: on a loaded single core, OS threads still time-share within
/// milliseconds, so only an answer that never overlaps the parties reaches this bound.
pub const DEFAULT_BOUND: Duration = Duration::from_secs(3);

/// A meeting point for a fixed number of threads that gives up after a bound.
///
/// Like [`std::sync::Barrier`], but a party that waits longer than the bound panics with
/// a message, instead of hanging the test forever.
#[derive(Debug)]
pub struct Rendezvous {
    parties: usize,
    arrived: Mutex<Arrivals>,
    all_here: Condvar,
    bound: Duration,
    likely_mistake: &'static str,
}

impl Rendezvous {
    /// A rendezvous for `parties` threads. `likely_mistake` is shown when it gives up,
    /// e.g. "each thread was joined right after it was spawned, so they never overlapped".
    pub fn new(parties: usize, likely_mistake: &'static str) -> Self {
        assert!(parties > 0, "a rendezvous needs at least one party");
        Rendezvous {
            parties,
            arrived: Mutex::new(Arrivals::default()),
            all_here: Condvar::new(),
            bound: DEFAULT_BOUND,
            likely_mistake,
        }
    }

    /// The same rendezvous with another bound.
    #[must_use]
    pub fn with_bound(mut self, bound: Duration) -> Self {
        self.bound = bound;
        self
    }

    /// How many threads must arrive.
    pub fn parties(&self) -> usize {
        self.parties
    }

    /// How many threads have arrived so far.
    pub fn arrived(&self) -> usize {
        self.arrived
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .count
    }

    /// Arrives and waits until every party has arrived.
    ///
    /// # Panics
    /// If the other parties do not all arrive within the bound, or if more threads arrive
    /// than the rendezvous was built for. The panic names the caller's line (in the
    /// exercise's tests), not this one.
    #[track_caller]
    pub fn arrive(&self) {
        /// How often a waiting party checks whether anyone else could still arrive.
        const LOOK_EVERY: Duration = Duration::from_millis(50);
        // A panicking party must not poison the meeting for the others: they report their
        // own timeout instead of a confusing PoisonError.
        let mut arrived = self.arrived.lock().unwrap_or_else(PoisonError::into_inner);
        arrived.count += 1;
        assert!(
            arrived.count <= self.parties,
            "{} threads arrived at a rendezvous built for {}",
            arrived.count,
            self.parties
        );
        if arrived.count == self.parties {
            self.all_here.notify_all();
            return;
        }
        let me = stuck::current_tid();
        arrived.waiting.extend(me);
        let started = Instant::now();
        let deadline = started + self.bound;
        let mut stillness = stuck::Stillness::default();
        // The grader's benchmark measures the fixed bound with this set.
        let fast = std::env::var_os("THREADLINGS_NO_EARLY_DEADLOCK").is_none();
        let gave_up_early = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break false;
            }
            let (guard, _) = self
                .all_here
                .wait_timeout_while(arrived, left.min(LOOK_EVERY), |arrived| {
                    arrived.count < self.parties
                })
                .unwrap_or_else(PoisonError::into_inner);
            arrived = guard;
            if arrived.count >= self.parties {
                arrived.waiting.retain(|tid| Some(*tid) != me);
                return;
            }
            // The parties already waiting here cannot arrive again; every other thread
            // is looked at, without holding the lock (they may need it to arrive).
            let excluded = arrived.waiting.clone();
            drop(arrived);
            let certain = fast && me.is_some() && stillness.nobody_else_can_act(&excluded);
            arrived = self.arrived.lock().unwrap_or_else(PoisonError::into_inner);
            if arrived.count >= self.parties {
                arrived.waiting.retain(|tid| Some(*tid) != me);
                return;
            }
            if certain {
                break true;
            }
        };
        let seen = arrived.count;
        arrived.waiting.retain(|tid| Some(*tid) != me);
        drop(arrived);
        let waited = if gave_up_early {
            format!(
                "waited {:.1?}: every other thread was blocked, so none could arrive",
                started.elapsed()
            )
        } else {
            format!("waited {:?} for the others", self.bound)
        };
        panic!(
            "only {seen} of {} threads were running at the same time ({waited}): {}",
            self.parties, self.likely_mistake
        );
    }
}

/// Who has arrived at a rendezvous.
#[derive(Debug, Default)]
struct Arrivals {
    count: usize,
    /// The threads waiting for the others (Linux thread ids): they cannot arrive again.
    waiting: Vec<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::thread;

    #[test]
    #[cfg(not(loom))]
    fn outside_the_model_checker_model_runs_its_body_once_on_std_types() {
        use crate::sync::atomic::{AtomicUsize, Ordering};
        use crate::sync::cell::UnsafeCell;
        static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        model(|| {
            RUNS.fetch_add(1, Ordering::Relaxed);
            let cell = UnsafeCell::new(1);
            // SAFETY: one thread, no other access.
            cell.with_mut(|value| unsafe { *value += 1 });
            // SAFETY: as above.
            assert_eq!(cell.with(|value| unsafe { *value }), 2);
            let count = Arc::new(AtomicUsize::new(0));
            let worker = {
                let count = Arc::clone(&count);
                crate::sync::thread::spawn(move || count.fetch_add(1, Ordering::Relaxed))
            };
            worker.join().unwrap();
            assert_eq!(count.load(Ordering::Relaxed), 1);
        });
        assert_eq!(RUNS.load(std::sync::atomic::Ordering::Relaxed), 1);
    }

    #[test]
    fn all_parties_running_together_pass() {
        let meeting = Arc::new(Rendezvous::new(4, "unused"));
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let meeting = Arc::clone(&meeting);
                thread::spawn(move || meeting.arrive())
            })
            .collect();
        for handle in handles {
            handle.join().expect("a party panicked");
        }
        assert_eq!(meeting.arrived(), 4);
    }

    #[test]
    fn sequential_parties_fail_with_the_likely_mistake() {
        let meeting =
            Arc::new(Rendezvous::new(2, "joined too early").with_bound(Duration::from_millis(50)));
        let first = {
            let meeting = Arc::clone(&meeting);
            thread::spawn(move || meeting.arrive())
        };
        let panic = first.join().expect_err("a lone party must give up");
        let message = panic
            .downcast_ref::<String>()
            .expect("the panic carries a formatted message");
        assert!(message.contains("only 1 of 2 threads"), "{message}");
        assert!(message.ends_with("joined too early"), "{message}");
    }

    #[test]
    #[should_panic(expected = "3 threads arrived at a rendezvous built for 2")]
    fn too_many_parties_is_a_bug_in_the_test() {
        let meeting = Rendezvous::new(2, "unused");
        thread::scope(|scope| {
            scope.spawn(|| meeting.arrive());
            meeting.arrive();
        });
        meeting.arrive();
    }
}
