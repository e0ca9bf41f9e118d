// WRONG: keeps the ledger but never waits for a turn: a fast philosopher eats again and again while a neighbour waits (starvation)
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;

/// What happens at the table, reported to the `on_event` callback as it happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// The philosopher thinks before its meal number `meal` (from 0).
    Thinking { philosopher: usize, meal: usize },
    /// The philosopher took `fork` and now holds `holding` forks.
    TookFork {
        philosopher: usize,
        fork: usize,
        holding: usize,
    },
    /// The philosopher starts eating meal number `meal`, holding both forks.
    Eating { philosopher: usize, meal: usize },
    /// The philosopher finished eating meal number `meal`, still holding both forks.
    Ate { philosopher: usize, meal: usize },
}

/// The table: the forks, and the meal ledger that keeps the philosophers fair.
pub struct Table<'a> {
    seats: usize,
    forks: Vec<Mutex<()>>,
    /// How many forks each philosopher holds now (for the events).
    holding: Vec<AtomicUsize>,
    /// How many meals each philosopher has finished.
    meals: Mutex<Vec<usize>>,
    /// Signalled whenever a meal is recorded in `meals`.
    turn: Condvar,
    on_event: &'a (dyn Fn(Event) + Sync),
}

/// A fork in a philosopher's hand; dropping it puts it back on the table.
pub struct Fork<'t> {
    holding: &'t AtomicUsize,
    _in_hand: MutexGuard<'t, ()>,
}

impl Drop for Fork<'_> {
    fn drop(&mut self) {
        self.holding.fetch_sub(1, Ordering::SeqCst);
    }
}

impl<'a> Table<'a> {
    pub fn new(seats: usize, on_event: &'a (dyn Fn(Event) + Sync)) -> Table<'a> {
        assert!(seats >= 2, "a table needs at least two philosophers");
        Table {
            seats,
            forks: (0..seats).map(|_| Mutex::new(())).collect(),
            holding: (0..seats).map(|_| AtomicUsize::new(0)).collect(),
            meals: Mutex::new(vec![0; seats]),
            turn: Condvar::new(),
            on_event,
        }
    }

    /// The fork on philosopher `p`'s left.
    pub fn left(&self, p: usize) -> usize {
        p
    }

    /// The fork on philosopher `p`'s right.
    pub fn right(&self, p: usize) -> usize {
        (p + 1) % self.seats
    }

    /// Philosopher `p`'s two neighbours.
    pub fn neighbours(&self, p: usize) -> (usize, usize) {
        ((p + self.seats - 1) % self.seats, (p + 1) % self.seats)
    }

    /// Philosopher `p` takes `fork`, waiting until it is free.
    pub fn take(&self, p: usize, fork: usize) -> Fork<'_> {
        let in_hand = self.forks[fork]
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let holding = self.holding[p].fetch_add(1, Ordering::SeqCst) + 1;
        (self.on_event)(Event::TookFork {
            philosopher: p,
            fork,
            holding,
        });
        Fork {
            holding: &self.holding[p],
            _in_hand: in_hand,
        }
    }

    fn ledger(&self) -> MutexGuard<'_, Vec<usize>> {
        self.meals.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Philosopher `p` waits for its turn, then picks up both its forks.
    pub fn pick_up(&self, p: usize) -> [Fork<'_>; 2] {
        // One global order, lower-numbered fork first: no circle of waits can form.
        let (left, right) = (self.left(p), self.right(p));
        let first = self.take(p, left.min(right));
        let second = self.take(p, left.max(right));
        [first, second]
    }

    /// Philosopher `p` puts its forks down and records its meal.
    pub fn put_down(&self, p: usize, forks: [Fork<'_>; 2]) {
        drop(forks);
        self.ledger()[p] += 1;
        // Every waiter re-checks its own condition: both neighbours may now go.
        self.turn.notify_all();
    }

    /// One philosopher's life: `meals` times think, pick up, eat, put down.
    fn philosopher(&self, p: usize, meals: usize) -> usize {
        let mut eaten = 0;
        for meal in 0..meals {
            (self.on_event)(Event::Thinking {
                philosopher: p,
                meal,
            });
            let forks = self.pick_up(p);
            (self.on_event)(Event::Eating {
                philosopher: p,
                meal,
            });
            eaten += 1;
            (self.on_event)(Event::Ate {
                philosopher: p,
                meal,
            });
            self.put_down(p, forks);
        }
        eaten
    }
}

/// Seats `seats` philosophers, one thread each, who eat `meals` meals each; returns how
/// many meals each one ate.
pub fn dine(seats: usize, meals: usize, on_event: &(dyn Fn(Event) + Sync)) -> Vec<usize> {
    let table = Table::new(seats, on_event);
    thread::scope(|scope| {
        let philosophers: Vec<_> = (0..seats)
            .map(|p| {
                let table = &table;
                thread::Builder::new()
                    .name(format!("philosopher-{p}"))
                    .spawn_scoped(scope, move || table.philosopher(p, meals))
                    .expect("could not seat a philosopher")
            })
            .collect();
        philosophers
            .into_iter()
            .map(|p| p.join().expect("a philosopher panicked"))
            .collect()
    })
}

fn main() {
    let print = |event: Event| {
        if let Event::Eating { philosopher, meal } = event {
            println!("philosopher {philosopher} eats meal {meal}");
        }
    };
    let eaten = dine(5, 3, &print);
    println!("meals eaten: {eaten:?}");
}
