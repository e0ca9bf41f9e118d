//! # Poisoning: a lock whose holder panicked
//!
//! A thread that panics while it holds a `MutexGuard` may leave the data half-updated. The
//! standard library marks such a mutex *poisoned*: from then on every `lock()` returns
//! `Err(PoisonError)`, so the next thread decides what to do instead of trusting broken
//! data blindly. That is why `lock()` returns a `Result`, and why `lock().unwrap()` turns
//! one panic into a panic in every thread that touches the lock afterwards.
//!
//! The error still holds the guard: `PoisonError::into_inner` gives it to you, to read what
//! is safe to read or to repair the data. `Mutex::is_poisoned` tells whether it happened,
//! and `Mutex::clear_poison` (once the data is consistent again) makes the mutex healthy.
//!
//! Below, the scores and their total must agree. A panic in `audit` leaves a score without
//! its total. Refuse what the broken data cannot answer, serve what it can, and repair it.
//!
//! - std, poisoning: <https://doc.rust-lang.org/std/sync/struct.Mutex.html#poisoning>
//! - std, `PoisonError`: <https://doc.rust-lang.org/std/sync/struct.PoisonError.html>
//! - rust_howto, shared state:
//!   <https://john-cd.com/rust_howto/categories/concurrency/shared_state.html>

use std::sync::{Arc, Mutex, PoisonError};
use std::thread;

/// The board's lock was poisoned: the scores and their total may disagree until
/// [`Scoreboard::repair`] runs.
#[derive(Debug, PartialEq, Eq)]
pub struct Poisoned;

#[derive(Debug, Default)]
struct Board {
    scores: Vec<u32>,
    /// Always the sum of `scores`, except after a panic in the middle of `record`.
    total: u64,
}

/// Scores shared by many threads.
#[derive(Debug, Default)]
pub struct Scoreboard {
    board: Mutex<Board>,
}

impl Scoreboard {
    pub fn new() -> Scoreboard {
        Scoreboard::default()
    }

    /// Records `score`. `audit` sees the scores once the new one is in, before the total
    /// is updated; if it panics, the board is left half-updated and its lock poisoned.
    /// A poisoned board refuses new scores until it is repaired.
    pub fn record(&self, score: u32, audit: impl FnOnce(&[u32])) -> Result<(), Poisoned> {
        // The total may be wrong on a poisoned board: adding to it would hide that.
        let mut board = self.board.lock().map_err(|_| Poisoned)?;
        board.scores.push(score);
        audit(&board.scores);
        board.total += u64::from(score);
        Ok(())
    }

    /// The scores recorded so far, in order; also on a poisoned board (every score that
    /// is in the list was recorded).
    pub fn scores(&self) -> Vec<u32> {
        // Reading the list is safe whatever happened to the total.
        let board = self.board.lock().unwrap_or_else(PoisonError::into_inner);
        board.scores.clone()
    }

    /// The sum of the scores; refused on a poisoned board.
    pub fn total(&self) -> Result<u64, Poisoned> {
        Ok(self.board.lock().map_err(|_| Poisoned)?.total)
    }

    /// Whether a thread panicked while recording, and the board was not repaired since.
    pub fn is_poisoned(&self) -> bool {
        self.board.is_poisoned()
    }

    /// Repairs a poisoned board: recomputes the total from the scores, then clears the
    /// poison. Returns whether there was anything to repair.
    pub fn repair(&self) -> bool {
        let mut board = match self.board.lock() {
            Ok(_) => return false,
            Err(poisoned) => poisoned.into_inner(),
        };
        board.total = board.scores.iter().copied().map(u64::from).sum();
        // Only now is the data consistent again.
        self.board.clear_poison();
        true
    }
}

fn main() {
    let board = Arc::new(Scoreboard::new());
    board.record(10, |_| {}).expect("a healthy board");
    // The crash below is on purpose: a one-line report instead of the default one.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|info| eprintln!("(on purpose) {info}")));
    let crashing = Arc::clone(&board);
    let crash = thread::spawn(move || {
        crashing
            .record(20, |scores| {
                assert!(scores.len() < 2, "the auditor gave up")
            })
            .expect("a healthy board");
    });
    assert!(crash.join().is_err());
    std::panic::set_hook(default_hook);
    println!(
        "poisoned: {}, scores: {:?}",
        board.is_poisoned(),
        board.scores()
    );
    println!("total before the repair: {:?}", board.total());
    println!("repaired: {}", board.repair());
    println!("total after the repair: {:?}", board.total());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A board with 10 and 20 recorded, then 30 recorded by a thread whose audit panics.
    fn poisoned_board() -> Arc<Scoreboard> {
        let board = Arc::new(Scoreboard::new());
        board.record(10, |_| {}).expect("a healthy board records");
        board.record(20, |_| {}).expect("a healthy board records");
        let crashing = Arc::clone(&board);
        let crash = thread::spawn(move || {
            let _ = crashing.record(30, |_| panic!("the auditor crashed (on purpose)"));
        });
        assert!(
            crash.join().is_err(),
            "the audit's panic must reach the thread"
        );
        board
    }

    #[test]
    fn a_panic_while_recording_poisons_the_board() {
        let board = poisoned_board();
        assert!(
            board.is_poisoned(),
            "a panic while recording poisons the lock"
        );
        assert_eq!(
            board.record(40, |_| {}),
            Err(Poisoned),
            "a poisoned board must refuse new scores (without panicking): its total is wrong"
        );
        assert_eq!(
            board.total(),
            Err(Poisoned),
            "a poisoned board must refuse to give its total (without panicking): it is wrong"
        );
    }

    #[test]
    fn scores_can_still_be_read_from_a_poisoned_board() {
        let board = poisoned_board();
        assert_eq!(
            board.scores(),
            vec![10, 20, 30],
            "the list of scores is still right on a poisoned board: read it through \
             `PoisonError::into_inner`"
        );
    }

    #[test]
    fn repair_restores_the_total_and_clears_the_poison() {
        let board = poisoned_board();
        assert!(
            board.repair(),
            "the board was poisoned: `repair` must say it repaired it"
        );
        assert!(
            !board.is_poisoned(),
            "after `repair` the lock must not be poisoned any more"
        );
        assert_eq!(board.total(), Ok(60), "`repair` must recompute the total");
        assert_eq!(board.record(40, |_| {}), Ok(()));
        assert_eq!(board.total(), Ok(100));
        assert_eq!(board.scores(), vec![10, 20, 30, 40]);
        assert!(!board.repair(), "a healthy board has nothing to repair");
    }

    #[test]
    fn scores_from_many_threads_all_count() {
        let board = Arc::new(Scoreboard::new());
        let handles: Vec<_> = (1..=8)
            .map(|thread| {
                let board = Arc::clone(&board);
                thread::spawn(move || {
                    for _ in 0..100 {
                        board.record(thread, |_| {}).expect("a healthy board");
                    }
                })
            })
            .collect();
        for handle in handles {
            handle.join().expect("a recording thread panicked");
        }
        assert_eq!(board.total(), Ok(3600));
        assert_eq!(board.scores().len(), 800);
        assert!(!board.repair());
    }
}
