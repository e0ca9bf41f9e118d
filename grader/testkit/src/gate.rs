//! Gates: hold a thread at a point of the test's choosing until the test lets it go.
//!
//! A [`Gate`] makes an interleaving deterministic. Put `gate.wait()` in a callback the
//! learner's code calls inside the window of a check-then-act (a `compute` closure, a
//! clock, a job), let another thread run the same code while the first is held, and
//! [`Watch`](crate::Watch) tells you whether that other thread blocked (the window is
//! guarded) or got through (the race is real, and it shows every run, not 1 in 13).
//!
//! A thread held at a gate counts as *blocked on purpose* for a [`Watch`](crate::Watch),
//! even though the gate's own wait has a liveness bound.

use std::collections::BTreeSet;
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::cpu::{Tid, current_tid};

/// How long a thread may be held at a gate, or the test wait for arrivals, before the
/// gate gives up with a panic: a liveness bound, never what makes a test pass.
pub const GATE_BOUND: Duration = Duration::from_secs(5);

/// Threads now held at some gate, by kernel thread id.
static HELD: Mutex<BTreeSet<Tid>> = Mutex::new(BTreeSet::new());

/// Whether the thread `tid` is waiting at a gate right now.
pub(crate) fn is_held(tid: Tid) -> bool {
    HELD.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .contains(&tid)
}

/// A gate threads wait at until the test opens it.
#[derive(Debug)]
pub struct Gate {
    name: &'static str,
    state: Mutex<State>,
    changed: Condvar,
    bound: Duration,
}

#[derive(Debug, Default)]
struct State {
    open: bool,
    /// Threads waiting now.
    waiting: usize,
    /// Threads that ever arrived.
    arrived: usize,
}

impl Gate {
    /// A closed gate; `name` says what it holds back, for panic messages ("the first
    /// `compute` call").
    pub fn new(name: &'static str) -> Gate {
        Gate {
            name,
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            bound: GATE_BOUND,
        }
    }

    /// The same gate with another liveness bound.
    #[must_use]
    pub fn with_bound(mut self, bound: Duration) -> Gate {
        self.bound = bound;
        self
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits until the gate is open (returns at once if it is).
    ///
    /// # Panics
    /// If the gate stays closed longer than the bound: the test never opened it, usually
    /// because an earlier assertion failed.
    #[track_caller]
    pub fn wait(&self) {
        let tid = current_tid();
        let mut state = self.state();
        state.arrived += 1;
        if state.open {
            return;
        }
        state.waiting += 1;
        self.changed.notify_all();
        if let Some(tid) = tid {
            HELD.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(tid);
        }
        let (mut state, wait) = self
            .changed
            .wait_timeout_while(state, self.bound, |state| !state.open)
            .unwrap_or_else(PoisonError::into_inner);
        state.waiting -= 1;
        if let Some(tid) = tid {
            HELD.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(&tid);
        }
        if wait.timed_out() {
            drop(state);
            panic!(
                "held at the gate of {} for {:?}: the test never let it through",
                self.name, self.bound
            );
        }
    }

    /// Opens the gate: every waiting thread, and every later one, goes through.
    pub fn open(&self) {
        self.state().open = true;
        self.changed.notify_all();
    }

    /// A guard that opens the gate when it is dropped: when the test ends, or when it
    /// fails and unwinds, so that held threads (a shared pool's workers) are let go at
    /// once instead of after the gate's bound.
    #[must_use = "the gate opens when the guard is dropped"]
    pub fn open_on_drop(&self) -> OpenOnDrop<'_> {
        OpenOnDrop(self)
    }

    /// Whether the gate is open.
    pub fn is_open(&self) -> bool {
        self.state().open
    }

    /// How many threads are held at the gate now.
    pub fn waiting(&self) -> usize {
        self.state().waiting
    }

    /// How many threads ever arrived at the gate (held or not).
    pub fn arrived(&self) -> usize {
        self.state().arrived
    }

    /// Waits until `count` threads are held at the gate at once.
    ///
    /// # Panics
    /// After the bound, with `mistake` (what the learner's code likely does wrong when
    /// fewer threads get here).
    #[track_caller]
    pub fn wait_for_held(&self, count: usize, mistake: &str) {
        let deadline = Instant::now() + self.bound;
        let mut state = self.state();
        while state.waiting < count {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                let held = state.waiting;
                drop(state);
                panic!(
                    "only {held} of {count} threads reached the gate of {} (waited {:?}): \
                     {mistake}",
                    self.name, self.bound
                );
            }
            state = self
                .changed
                .wait_timeout(state, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

/// Opens its gate when dropped; see [`Gate::open_on_drop`].
#[derive(Debug)]
pub struct OpenOnDrop<'a>(&'a Gate);

impl Drop for OpenOnDrop<'_> {
    fn drop(&mut self) {
        self.0.open();
    }
}

impl Drop for Gate {
    fn drop(&mut self) {
        self.open();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::thread;

    #[test]
    fn holds_threads_until_opened() {
        let gate = Arc::new(Gate::new("the test"));
        let held: Vec<_> = (0..3)
            .map(|_| {
                let gate = Arc::clone(&gate);
                thread::spawn(move || gate.wait())
            })
            .collect();
        gate.wait_for_held(3, "unused");
        assert_eq!(gate.waiting(), 3);
        assert!(held.iter().all(|handle| !handle.is_finished()));
        gate.open();
        for handle in held {
            handle.join().expect("a held thread panicked");
        }
        assert_eq!(gate.waiting(), 0);
        assert_eq!(gate.arrived(), 3);
        gate.wait(); // Open: passes at once.
        assert_eq!(gate.arrived(), 4);
    }

    #[test]
    fn held_threads_are_known_by_tid() {
        let gate = Arc::new(Gate::new("the test"));
        let (tx, rx) = std::sync::mpsc::channel();
        let held = {
            let gate = Arc::clone(&gate);
            thread::spawn(move || {
                tx.send(current_tid()).unwrap();
                gate.wait();
            })
        };
        let tid = rx.recv().unwrap();
        gate.wait_for_held(1, "unused");
        if let Some(tid) = tid {
            assert!(is_held(tid));
            gate.open();
            held.join().unwrap();
            assert!(!is_held(tid));
        } else {
            gate.open();
            held.join().unwrap();
        }
    }

    #[test]
    fn a_gate_never_opened_gives_up_with_its_name() {
        let gate = Gate::new("the first call").with_bound(Duration::from_millis(30));
        let panic = thread::scope(|scope| scope.spawn(|| gate.wait()).join())
            .expect_err("nobody opens the gate");
        let message = panic.downcast_ref::<String>().unwrap();
        assert!(message.contains("gate of the first call"), "{message}");
    }

    #[test]
    fn the_guard_opens_the_gate_even_when_the_test_fails() {
        let gate = Arc::new(Gate::new("the test"));
        let held = Arc::clone(&gate);
        let waiter = thread::spawn(move || held.wait());
        let failed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _release = gate.open_on_drop();
            gate.wait_for_held(1, "unused");
            panic!("the test failed");
        }));
        assert!(failed.is_err());
        assert!(gate.is_open());
        waiter.join().expect("the held thread was let go");
    }

    #[test]
    fn too_few_arrivals_name_the_mistake() {
        let gate = Gate::new("the workers").with_bound(Duration::from_millis(30));
        let panic = thread::scope(|scope| {
            scope
                .spawn(|| gate.wait_for_held(2, "the workers ran one at a time"))
                .join()
        })
        .expect_err("nobody arrives");
        let message = panic.downcast_ref::<String>().unwrap();
        assert!(message.contains("only 0 of 2"), "{message}");
        assert!(
            message.ends_with("the workers ran one at a time"),
            "{message}"
        );
    }
}
