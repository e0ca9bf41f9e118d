//! Quiet and slow peers: run the learner's code on its own watched thread while the test
//! plays the other side of the conversation, on its own schedule.
//!
//! The test keeps a `Sender` open and silent, feeds one input while another stays quiet,
//! or holds a worker at a [`Gate`](crate::Gate), and meanwhile asks
//! [`Running::until_blocked`]: the learner's code must be *waiting* (blocked, no timeout,
//! no CPU), not finished and not polling. Only then does the test send, close or open.
//! Nothing depends on how long anything takes: an idle timeout, a sentinel or a missing
//! `select!` fails every run, and a correct answer passes as soon as it blocks.
//!
//! ```
//! use std::sync::mpsc;
//! use threadlings_testkit::Running;
//!
//! fn total(rx: mpsc::Receiver<u32>) -> u32 {
//!     rx.iter().sum()
//! }
//!
//! let (tx, rx) = mpsc::channel();
//! tx.send(2).unwrap();
//! let consumer = Running::spawn("`total`", move || total(rx));
//! consumer.until_blocked("the Sender is still open", "end the loop when the channel closes");
//! tx.send(3).unwrap();
//! drop(tx);
//! assert_eq!(consumer.join(), 5);
//! ```

use std::sync::{Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::cpu::Watch;

/// How long [`Running::join`] waits for the learner's code once the test has let it
/// finish.
pub const JOIN_BOUND: Duration = Duration::from_secs(5);

/// The learner's code, running on a thread of its own that the test watches.
#[derive(Debug)]
pub struct Running<T> {
    who: &'static str,
    watch: Watch,
    /// Taken when the code is found to have finished early, to re-raise its panic.
    handle: Mutex<Option<JoinHandle<T>>>,
}

impl<T: Send + 'static> Running<T> {
    /// Runs `code` on a new thread; `who` names it in messages ("`merge`", "your pool").
    /// Every thread `code` starts is watched too.
    pub fn spawn(who: &'static str, code: impl FnOnce() -> T + Send + 'static) -> Running<T> {
        let watch = Watch::start();
        let handle = thread::Builder::new()
            .name("learner".to_owned())
            .spawn(code)
            .expect("the test could not start a thread");
        Running {
            who,
            watch,
            handle: Mutex::new(Some(handle)),
        }
    }
}

impl<T> Running<T> {
    /// Whether the code has returned (or panicked).
    pub fn is_finished(&self) -> bool {
        self.handle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .is_none_or(JoinHandle::is_finished)
    }

    /// The code finished while it should have been waiting: if it panicked, that panic
    /// is the better message (a failed assertion in a callback), so re-raise it.
    fn reraise_panic(&self) {
        let handle = self
            .handle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(Err(panic)) = handle.map(JoinHandle::join) {
            std::panic::resume_unwind(panic);
        }
    }

    /// Waits until the code and every thread it started are blocked without a timeout.
    ///
    /// # Panics
    /// If the code returns first ("`merge` returned while `b` was still open: ..."), or
    /// sleeps, waits with a timeout or burns CPU instead; the message ends with `mistake`.
    #[track_caller]
    pub fn until_blocked(&self, while_waiting: &str, mistake: &str) {
        match self.watch.wait(&|| self.is_finished()) {
            crate::Waited::Blocked => {}
            crate::Waited::Finished => {
                self.reraise_panic();
                panic!("{} returned while {while_waiting}: {mistake}", self.who);
            }
            crate::Waited::Busy(seen) => panic!(
                "{} did not block while {while_waiting}: {seen}; {mistake}",
                self.who
            ),
        }
    }

    /// Waits until the code returns, and panics at once if it gets stuck instead: every
    /// thread it runs blocked without a timeout, none using CPU, and it has not returned
    /// (a receiving loop whose channel is never closed, a lock never released, a worker
    /// never joined...). Then [`Running::join`] gives its result.
    ///
    /// # Panics
    /// When it is stuck ("`find_lines` is blocked forever: {mistake}"), or still not done
    /// after [`WATCH_BOUND`](crate::WATCH_BOUND).
    #[track_caller]
    pub fn until_finished(&self, mistake: &str) {
        match self.watch.wait_finished(&|| self.is_finished()) {
            crate::Waited::Finished => {}
            crate::Waited::Blocked => panic!(
                "{} is blocked forever: every thread it runs waits and none will wake it; \
                 {mistake}",
                self.who
            ),
            crate::Waited::Busy(seen) => panic!("{} did not finish: {seen}; {mistake}", self.who),
        }
    }

    /// Waits until the code returns, and panics if it sleeps, waits with a timeout or
    /// burns CPU on the way (it should only block: on a `join`, a `recv`, a
    /// `WaitGroup::wait`), or if it gets stuck. For code that waits for work the test
    /// cannot slow down: the watch sees a `sleep` in a few samples. Keep the work itself
    /// tiny, under [`POLLING_CPU`](crate::POLLING_CPU) of CPU.
    ///
    /// # Panics
    /// As above, with `mistake` at the end of the message.
    #[track_caller]
    pub fn finishes_blocking(&self, mistake: &str) {
        match self.watch.wait(&|| self.is_finished()) {
            crate::Waited::Finished => {}
            crate::Waited::Blocked => {
                // Blocked and settled but not finished: it may still be about to return;
                // only a deadlock stays that way.
                self.until_finished(mistake);
            }
            crate::Waited::Busy(seen) => {
                panic!("{} did not just wait: {seen}; {mistake}", self.who)
            }
        }
    }

    /// The code's result, once it returns; re-raises its panic.
    ///
    /// # Panics
    /// If it panicked, or if it has not returned within [`JOIN_BOUND`] (then the message
    /// says so, with `JOIN_BOUND`'s value: the code hangs after the test let it finish).
    #[track_caller]
    pub fn join(self) -> T {
        let deadline = Instant::now() + JOIN_BOUND;
        while !self.is_finished() {
            assert!(
                Instant::now() < deadline,
                "{} did not return within {JOIN_BOUND:?} after the test let it finish",
                self.who
            );
            thread::sleep(Duration::from_millis(1));
        }
        let handle = self
            .handle
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
            .expect("the code's result was already taken by a failed check");
        handle
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    }
}
