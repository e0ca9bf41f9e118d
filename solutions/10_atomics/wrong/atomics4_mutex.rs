// WRONG: a Mutex instead of AtomicCell, held while the step runs: one slow update holds up every other

use crossbeam::atomic::AtomicCell;
use std::sync::Mutex;

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
    position: Mutex<Position>,
}

impl Tracker {
    pub fn new(start: Position) -> Self {
        Tracker {
            position: Mutex::new(start),
        }
    }

    /// The current position.
    pub fn get(&self) -> Position {
        *self.position.lock().unwrap()
    }

    /// Moves to `step(current)`, atomically, and returns the new position. `step` may
    /// run more than once: when another thread moved first, it runs again on the new
    /// position.
    pub fn update(&self, mut step: impl FnMut(Position) -> Position) -> Position {
        let mut position = self.position.lock().unwrap();
        *position = step(*position);
        *position
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
