//! Helpers the exercises' tests use to prove concurrency properties by construction.
//!
//! Timing is never the proof. A [`Rendezvous`] proves that several threads were running
//! *at the same time*: every party must arrive before any may leave, so a sequential
//! answer (spawn a thread, join it, spawn the next) can never get past it. The bound only
//! turns "would wait forever" into a failing test with a message that names the likely
//! mistake; it is never what makes a correct answer pass.
//!
//! The other tools: [`Watch`] and [`Running`] (did the learner's code *block* while the
//! test kept it waiting, or poll, sleep or return?), [`CpuMeter`] (CPU used against wall
//! time), [`Gate`] (hold a thread inside a window until the test lets it go) and
//! [`ThreadLog`] (which thread ran which job).

mod cpu;
mod gate;
mod identity;
mod peers;

pub use cpu::{
    CpuMeter, POLLING_CPU, ThreadSample, ThreadState, Tid, WATCH_BOUND, Waited, Watch,
    assume_tests_run_one_at_a_time, current_tid, process_cpu_time, tests_run_one_at_a_time,
    thread_cpu_time,
};
pub use gate::{GATE_BOUND, Gate, OpenOnDrop};
pub use identity::{Ran, ThreadLog};
pub use peers::{JOIN_BOUND, Running};

use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Duration;

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
    arrived: Mutex<usize>,
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
            arrived: Mutex::new(0),
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
        *self.arrived.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Arrives and waits until every party has arrived.
    ///
    /// # Panics
    /// If the other parties do not all arrive within the bound, or if more threads arrive
    /// than the rendezvous was built for. The panic names the caller's line (in the
    /// exercise's tests), not this one.
    #[track_caller]
    pub fn arrive(&self) {
        // A panicking party must not poison the meeting for the others: they report their
        // own timeout instead of a confusing PoisonError.
        let mut arrived = self.arrived.lock().unwrap_or_else(PoisonError::into_inner);
        *arrived += 1;
        assert!(
            *arrived <= self.parties,
            "{} threads arrived at a rendezvous built for {}",
            *arrived,
            self.parties
        );
        if *arrived == self.parties {
            self.all_here.notify_all();
            return;
        }
        let (arrived, wait) = self
            .all_here
            .wait_timeout_while(arrived, self.bound, |arrived| *arrived < self.parties)
            .unwrap_or_else(PoisonError::into_inner);
        if wait.timed_out() {
            let seen = *arrived;
            drop(arrived);
            panic!(
                "only {seen} of {} threads were running at the same time (waited {:?} for \
                 the others): {}",
                self.parties, self.bound, self.likely_mistake
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::thread;

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
