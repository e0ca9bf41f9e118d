//! # `AtomicCell`: an atomic for any small `Copy` value
//!
//! std has atomics for integers, `bool` and pointers. To share a small `Copy` struct, say
//! a position, without a lock, `crossbeam::atomic::AtomicCell<T>` gives any `T: Copy` the
//! same operations: `load`, `store`, `swap`, `compare_exchange`, and `fetch_update`, the
//! compare-exchange loop of `atomics2` with a closure. As always, a `load` followed by a
//! `store` is two steps and loses a concurrent update; `fetch_update` re-runs your closure
//! on the new value when another thread got there first, so keep the closure free of
//! side effects.
//!
//! When is it lock-free? When `T` has the size *and* alignment of a native atomic (1, 2,
//! 4 or 8 bytes): `AtomicCell::<T>::is_lock_free()` says. Two `i32`s make 8 bytes but
//! are aligned to 4, so `AtomicCell` falls back to a global table of locks: still
//! correct, but every update takes a lock another cell may share. `#[repr(align(8))]`
//! fixes that. Its orderings are fixed (`Acquire` loads, `Release` stores, `AcqRel`
//! updates): there is nothing to choose.
//!
//! - crossbeam: <https://docs.rs/crossbeam/0.8/crossbeam/atomic/struct.AtomicCell.html>
//! - rust_howto, shared state (`AtomicCell`):
//!   <https://john-cd.com/rust_howto/categories/concurrency/shared_state.html>
//! - the Rust reference, `repr(align)`:
//!   <https://doc.rust-lang.org/reference/type-layout.html#the-alignment-modifiers>

use crossbeam::atomic::AtomicCell;

/// A point on a grid. Aligned like a `u64`, so that `AtomicCell<Position>` uses a native
/// 8-byte atomic instead of a lock.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
#[repr(align(8))]
pub struct Position {
    pub x: i32,
    pub y: i32,
}

/// A position shared by every thread that moves it.
pub struct Tracker {
    position: AtomicCell<Position>,
}

impl Tracker {
    pub fn new(start: Position) -> Self {
        Tracker {
            position: AtomicCell::new(start),
        }
    }

    /// The current position.
    pub fn get(&self) -> Position {
        self.position.load()
    }

    /// Moves to `step(current)`, atomically, and returns the new position. `step` may
    /// run more than once: when another thread moved first, it runs again on the new
    /// position.
    pub fn update(&self, mut step: impl FnMut(Position) -> Position) -> Position {
        // `fetch_update` loops: it stores `step(current)` only if the position is still
        // `current`, and otherwise calls `step` again on what it found.
        let mut moved = Position::default();
        self.position
            .fetch_update(|current| {
                moved = step(current);
                Some(moved)
            })
            .expect("the closure always returns Some");
        moved
    }

    /// Moves by `(dx, dy)`.
    pub fn move_by(&self, dx: i32, dy: i32) -> Position {
        self.update(|Position { x, y }| Position {
            x: x + dx,
            y: y + dy,
        })
    }
}

fn main() {
    println!(
        "AtomicCell<Position> is lock-free: {}",
        AtomicCell::<Position>::is_lock_free()
    );
    let tracker = Tracker::new(Position::default());
    std::thread::scope(|scope| {
        for (dx, dy) in [(1, 0), (0, 1), (-1, 0), (1, 1)] {
            let tracker = &tracker;
            scope.spawn(move || {
                for _ in 0..100 {
                    tracker.move_by(dx, dy);
                }
            });
        }
    });
    println!("final position: {:?}", tracker.get());
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::thread;
    use threadlings_testkit::{Gate, Running};

    #[test]
    fn a_position_fits_a_native_atomic() {
        assert!(
            AtomicCell::<Position>::is_lock_free(),
            "AtomicCell<Position> falls back to a lock: Position is {} bytes aligned to {}; \
             it needs the alignment of a u64",
            std::mem::size_of::<Position>(),
            std::mem::align_of::<Position>()
        );
    }

    #[test]
    fn an_update_that_raced_another_is_redone_on_the_new_position() {
        let tracker = Arc::new(Tracker::new(Position::default()));
        let gate = Arc::new(Gate::new("the first step of the racing update"));
        let _release = gate.open_on_drop();
        let first = {
            let (tracker, gate) = (Arc::clone(&tracker), Arc::clone(&gate));
            thread::spawn(move || {
                let mut calls = 0;
                tracker.update(|Position { x, y }| {
                    calls += 1;
                    if calls == 1 {
                        gate.wait();
                    }
                    Position { x: x + 1, y }
                })
            })
        };
        gate.wait_for_held(1, "update never called its step");
        // While the first update is held between reading the position and storing its
        // result, another update runs from start to end.
        let other = {
            let tracker = Arc::clone(&tracker);
            Running::spawn("an update while another one was in its step", move || {
                tracker.update(|Position { x, y }| Position { x, y: y + 1 })
            })
        };
        other.until_finished(
            "it waited for the other update: nothing may be locked while `step` runs",
        );
        assert_eq!(other.join(), Position { x: 0, y: 1 });
        gate.open();
        let moved = first.join().expect("the first update panicked");
        assert_eq!(
            tracker.get(),
            Position { x: 1, y: 1 },
            "a move was lost: the update that was overtaken must run its step again on the \
             new position, not store what it computed from the old one"
        );
        assert_eq!(
            moved,
            Position { x: 1, y: 1 },
            "update returns the new position"
        );
    }

    #[test]
    fn moves_from_many_threads_all_count() {
        let tracker = Tracker::new(Position { x: 10, y: 10 });
        thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| {
                    for _ in 0..250 {
                        tracker.move_by(1, -1);
                    }
                });
            }
        });
        assert_eq!(tracker.get(), Position { x: 1010, y: -990 });
    }
}
