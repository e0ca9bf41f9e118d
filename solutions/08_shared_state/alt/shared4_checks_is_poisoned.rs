// ALT: `repair` asks `is_poisoned` first, then takes the guard through `into_inner` whatever `lock` says
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
        if !self.board.is_poisoned() {
            return false;
        }
        let mut board = self.board.lock().unwrap_or_else(PoisonError::into_inner);
        board.total = board.scores.iter().map(|&score| u64::from(score)).sum();
        self.board.clear_poison();
        true
    }
}

fn main() {
    let board = Arc::new(Scoreboard::new());
    board.record(10, |_| {}).expect("a healthy board");
    let crashing = Arc::clone(&board);
    let crash = thread::spawn(move || {
        crashing
            .record(20, |scores| {
                assert!(scores.len() < 2, "the auditor gave up")
            })
            .expect("a healthy board");
    });
    assert!(crash.join().is_err());
    println!(
        "poisoned: {}, scores: {:?}",
        board.is_poisoned(),
        board.scores()
    );
    println!("total before the repair: {:?}", board.total());
    println!("repaired: {}", board.repair());
    println!("total after the repair: {:?}", board.total());
}
