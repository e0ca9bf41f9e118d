//! # Project: dining philosophers that never deadlock and never starve
//!
//! Five philosophers sit at a round table with one fork between each pair of neighbours;
//! philosopher `p` needs fork `p` (left) and fork `p + 1` (right, wrapping round) to eat.
//! If every philosopher picks up the left fork first, they can all hold one fork at the
//! same moment and wait for ever for the other: a *circular wait*, the classic deadlock.
//! Breaking the circle is a lock-order rule (as in ordering5): number the forks and always
//! take the lower-numbered one first. Then somebody always gets both.
//!
//! No deadlock is not enough: a fast philosopher may eat again and again while a neighbour
//! never gets a turn (std's `Mutex` is not fair). Here fairness is by construction: nobody
//! starts a meal while ahead of a neighbour (`meals[p] > meals[neighbour]`). A shared
//! ledger, a `Mutex<Vec<usize>>` with a `Condvar`, counts the meals; a philosopher waits on
//! it *before* touching a fork (never wait for a turn while holding a fork), and after
//! eating puts the forks down, records the meal and wakes the others (`notify_all`).
//!
//! `pick_up` takes the left fork then the right one, and nobody waits for a turn. Fix both.
//!
//! - std: <https://doc.rust-lang.org/std/sync/struct.Condvar.html>
//! - rust_howto, shared state:
//!   <https://john-cd.com/rust_howto/categories/concurrency/shared_state.html>
//! - The problem: <https://en.wikipedia.org/wiki/Dining_philosophers_problem>

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
        let (before, after) = self.neighbours(p);
        // Wait for the turn first, holding no fork: a philosopher waiting for a turn with
        // a fork in hand could be the one its neighbour waits for.
        let ledger = self
            .turn
            .wait_while(self.ledger(), |meals| {
                meals[p] > meals[before] || meals[p] > meals[after]
            })
            .unwrap_or_else(PoisonError::into_inner);
        drop(ledger);
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use threadlings_testkit::{Gate, Running, Watch};

    const SEATS: usize = 5;

    /// Who is eating now: neighbours never may be at once.
    #[derive(Default)]
    struct Dining {
        eating: Mutex<Vec<usize>>,
        eaten: Mutex<Vec<usize>>,
        clashes: Mutex<Vec<String>>,
    }

    impl Dining {
        fn record(&self, event: Event) {
            let mut eating = self.eating.lock().unwrap();
            match event {
                Event::Eating { philosopher, .. } => {
                    let next = (philosopher + 1) % SEATS;
                    let previous = (philosopher + SEATS - 1) % SEATS;
                    for other in eating.iter().filter(|&&o| o == next || o == previous) {
                        self.clashes.lock().unwrap().push(format!(
                            "philosopher {philosopher} ate while its neighbour {other} was \
                             eating"
                        ));
                    }
                    eating.push(philosopher);
                }
                Event::Ate { philosopher, .. } => {
                    eating.retain(|&o| o != philosopher);
                    let mut eaten = self.eaten.lock().unwrap();
                    eaten.resize(SEATS, 0);
                    eaten[philosopher] += 1;
                }
                _ => {}
            }
        }

        fn eaten(&self, philosopher: usize) -> usize {
            self.eaten
                .lock()
                .unwrap()
                .get(philosopher)
                .copied()
                .unwrap_or(0)
        }

        fn assert_no_clash(&self) {
            let clashes = self.clashes.lock().unwrap();
            assert!(
                clashes.is_empty(),
                "two neighbours ate at once, sharing a fork: {clashes:?}"
            );
        }
    }

    #[test]
    fn every_philosopher_eats_every_meal() {
        let dining = Dining::default();
        let eaten = dine(SEATS, 20, &|event| dining.record(event));
        assert_eq!(eaten, vec![20; SEATS], "meals eaten by each philosopher");
        dining.assert_no_clash();
    }

    #[test]
    fn two_philosophers_eat_at_the_same_time() {
        // Philosophers 1, 3 and 4 are held thinking, so 0 and 2, who share no fork, are
        // alone to reach for theirs: both must get to eat at once (held while eating).
        let thinking = Arc::new(Gate::new("philosophers 1, 3 and 4, thinking"));
        let eating = Arc::new(Gate::new("the philosophers eating their first meal"));
        let (_release_thinking, _release_eating) = (thinking.open_on_drop(), eating.open_on_drop());
        let dining = Arc::new(Dining::default());
        let (held_thinking, held_eating) = (Arc::clone(&thinking), Arc::clone(&eating));
        let record = Arc::clone(&dining);
        let running = Running::spawn("`dine`", move || {
            dine(SEATS, 2, &|event| {
                record.record(event);
                match event {
                    Event::Thinking {
                        philosopher: 1 | 3 | 4,
                        meal: 0,
                    } => held_thinking.wait(),
                    Event::Eating { meal: 0, .. } => held_eating.wait(),
                    _ => {}
                }
            })
        });
        // Counted once settled, and again (three looks at most) while short: on a loaded
        // machine a philosopher just woken may not have run yet.
        let mut together = 0;
        for _ in 0..3 {
            running.until_blocked(
                "philosophers 0 and 2 were held eating",
                "a philosopher waiting for a fork or for its turn must wait blocked (a \
                 lock, a Condvar), not poll",
            );
            together = eating.waiting();
            if together == 2 {
                break;
            }
        }
        assert_eq!(
            together, 2,
            "{together} of philosophers 0 and 2 ate at the same time, though they share no \
             fork: does one lock let only one philosopher eat at a time?"
        );
        // Now 1, 3 and 4 reach for forks that 0 and 2 hold: they must wait, blocked.
        thinking.open();
        running.until_blocked(
            "philosophers 0 and 2 held forks that the others wanted",
            "a philosopher waiting for a fork must wait blocked (a lock, a Condvar), not \
             poll with `try_lock`",
        );
        eating.open();
        assert_eq!(running.join(), vec![2; SEATS]);
        dining.assert_no_clash();
    }

    #[test]
    fn everyone_holding_one_fork_cannot_deadlock_the_table() {
        // Each philosopher is held as soon as it holds its first fork, until every one
        // that can has taken one. Left fork first, that is all of them, and each then
        // waits for ever for its right fork, which its neighbour holds: a real deadlock
        // (the grader shows where each philosopher waits).
        let gate = Arc::new(Gate::new("philosophers holding their first fork"));
        let _release = gate.open_on_drop();
        let held = Arc::clone(&gate);
        let watch = Watch::start();
        let table = thread::spawn(move || {
            dine(SEATS, 2, &|event| {
                if let Event::TookFork { holding: 1, .. } = event {
                    held.wait();
                }
            })
        });
        watch.until_blocked(
            &|| table.is_finished(),
            "`dine`",
            "philosophers were held with one fork in hand",
            "a philosopher waiting for a fork or for its turn must wait blocked, not poll",
        );
        gate.open();
        let eaten = table.join().expect("`dine` panicked");
        assert_eq!(eaten, vec![2; SEATS]);
    }

    #[test]
    fn nobody_gets_more_than_one_meal_ahead_of_a_neighbour() {
        // Philosopher 1 is held thinking before its first meal. Its neighbours, 0 and 2,
        // may eat their first meal, but not a second one before philosopher 1 has eaten.
        let gate = Arc::new(Gate::new("philosopher 1, thinking before its first meal"));
        let _release = gate.open_on_drop();
        let dining = Arc::new(Dining::default());
        let (held, record) = (Arc::clone(&gate), Arc::clone(&dining));
        let running = Running::spawn("`dine`", move || {
            dine(SEATS, 3, &|event| {
                record.record(event);
                if let Event::Thinking {
                    philosopher: 1,
                    meal: 0,
                } = event
                {
                    held.wait();
                }
            })
        });
        running.until_blocked(
            "philosopher 1 was held thinking",
            "a philosopher waiting for its turn must wait blocked on the ledger's Condvar",
        );
        let (left, right) = (dining.eaten(0), dining.eaten(2));
        gate.open();
        assert!(
            left <= 1 && right <= 1,
            "philosophers 0 and 2 ate {left} and {right} meals while their neighbour 1 had \
             not eaten once: nobody may start a meal while ahead of a neighbour (wait on \
             the ledger before taking the forks)"
        );
        assert_eq!(running.join(), vec![3; SEATS]);
        dining.assert_no_clash();
    }
}
