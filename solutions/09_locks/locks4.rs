//! # `try_lock` and back off, when there is no global order
//!
//! Locking in one global order needs to know every lock before taking the first. Often you
//! do not: here a node says which neighbour its value goes to, and you can read that only
//! once you hold the node. If node 0 points to 1 and node 1 to 0, two threads can each
//! hold their own node and wait for the other's, forever.
//!
//! The way out is never to *wait* for a lock while holding another: `try_lock` the second
//! one. If it is taken, give back everything you hold, let the other thread run
//! (`thread::yield_now()`), and start again from scratch. The thread that holds what you
//! wanted can now finish, so somebody always makes progress. (Keeping the first lock while
//! retrying the second is the same deadlock, only spinning.)
//!
//! - std: <https://doc.rust-lang.org/std/sync/struct.Mutex.html#method.try_lock>
//! - std: <https://doc.rust-lang.org/std/thread/fn.yield_now.html>
//! - rust_howto, shared state:
//!   <https://john-cd.com/rust_howto/categories/concurrency/shared_state.html>

use std::sync::{Mutex, MutexGuard};
use std::thread;

/// A node holds a value and the id of the neighbour its value is passed to.
#[derive(Debug)]
pub struct Node {
    pub value: i64,
    pub next: usize,
}

/// Nodes, each behind its own lock. Every attempt to lock one through [`Graph::lock_node`]
/// or [`Graph::try_lock_node`] is reported to an observer first (the tests use it to hold
/// a thread at the unlucky moment).
pub struct Graph {
    nodes: Vec<Mutex<Node>>,
    on_attempt: Box<dyn Fn(usize) + Send + Sync>,
}

impl Graph {
    /// Nodes from `(value, next)` pairs.
    pub fn new(nodes: &[(i64, usize)]) -> Self {
        Self::observed(nodes, |_| {})
    }

    /// A graph that calls `on_attempt(id)` before each attempt to lock node `id`.
    pub fn observed(
        nodes: &[(i64, usize)],
        on_attempt: impl Fn(usize) + Send + Sync + 'static,
    ) -> Self {
        Graph {
            nodes: nodes
                .iter()
                .map(|&(value, next)| Mutex::new(Node { value, next }))
                .collect(),
            on_attempt: Box::new(on_attempt),
        }
    }

    /// Locks node `id`, waiting for it if another thread holds it.
    pub fn lock_node(&self, id: usize) -> MutexGuard<'_, Node> {
        (self.on_attempt)(id);
        self.nodes[id].lock().unwrap()
    }

    /// Locks node `id` if it is free; `None` at once if another thread holds it.
    pub fn try_lock_node(&self, id: usize) -> Option<MutexGuard<'_, Node>> {
        (self.on_attempt)(id);
        self.nodes[id].try_lock().ok()
    }

    pub fn values(&self) -> Vec<i64> {
        self.nodes
            .iter()
            .map(|node| node.lock().unwrap().value)
            .collect()
    }
}

/// Moves the whole value of node `from` to its `next` neighbour, with both nodes locked;
/// returns the amount moved.
pub fn pass_along(graph: &Graph, from: usize) -> i64 {
    loop {
        let mut source = graph.lock_node(from);
        let next = source.next;
        assert_ne!(next, from, "node {from} points to itself");
        // Never wait while holding `source`: take `next` only if it is free now...
        if let Some(mut target) = graph.try_lock_node(next) {
            let amount = source.value;
            source.value = 0;
            target.value += amount;
            return amount;
        }
        // ...and if it is not, give `source` back before trying again, so that whoever
        // holds `next` can take `source` and finish.
        drop(source);
        thread::yield_now();
    }
}

fn main() {
    let graph = Graph::new(&[(10, 1), (20, 0), (30, 0)]);
    thread::scope(|scope| {
        for from in [0, 1, 2] {
            let graph = &graph;
            scope.spawn(move || println!("node {from} passed {}", pass_along(graph, from)));
        }
    });
    println!("{:?}", graph.values());
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use threadlings_testkit::{Gate, Running, Watch};

    fn spawn_named<T: Send + 'static>(
        name: &str,
        code: impl FnOnce() -> T + Send + 'static,
    ) -> thread::JoinHandle<T> {
        thread::Builder::new()
            .name(name.to_owned())
            .spawn(code)
            .unwrap()
    }

    #[test]
    fn a_thread_that_meets_a_taken_neighbour_lets_go_and_retries() {
        // Node 0 points to 1 and node 1 to 0. Thread `a` locks node 0 and is held just
        // before it goes for node 1. Meanwhile thread `b` starts from node 1, and finds
        // node 0 taken: it must give node 1 back (it is held at its next attempt), then
        // `a` finishes, then `b`.
        let gate_a = Arc::new(Gate::new("thread a, holding node 0"));
        let gate_b = Arc::new(Gate::new("thread b's attempt after a failed one"));
        let _release_a = gate_a.open_on_drop();
        let _release_b = gate_b.open_on_drop();
        let b_attempts = Arc::new(AtomicUsize::new(0));
        let graph = {
            let (gate_a, gate_b, b_attempts) = (gate_a.clone(), gate_b.clone(), b_attempts.clone());
            Arc::new(Graph::observed(
                &[(10, 1), (20, 0)],
                move |id| match thread::current().name() {
                    Some("a") if id == 1 => gate_a.wait(),
                    Some("b") if b_attempts.fetch_add(1, Ordering::SeqCst) == 2 => gate_b.wait(),
                    _ => {}
                },
            ))
        };
        let a = {
            let graph = graph.clone();
            spawn_named("a", move || pass_along(&graph, 0))
        };
        gate_a.wait_for_held(1, "thread a never went for node 1");
        let watch = Watch::start();
        let b = {
            let graph = graph.clone();
            spawn_named("b", move || pass_along(&graph, 1))
        };
        watch.until_blocked(
            &|| b.is_finished(),
            "thread b",
            "node 0 was held by thread a",
            "give back what you hold when `try_lock_node` fails, then start again; a loop \
             that keeps node 1 while it retries node 0 never ends",
        );
        assert!(
            !b.is_finished(),
            "thread b returned while node 0 was taken: retry until the value is passed"
        );
        assert!(
            graph.nodes[1].try_lock().is_ok(),
            "thread b waits for node 0 (held by thread a) while it holds node 1, which \
             thread a needs next: a deadlock. Use `try_lock_node` for the second node, and \
             when it fails, drop the first guard and start again"
        );
        gate_a.open();
        assert_eq!(a.join().expect("thread a panicked"), 10);
        gate_b.open();
        assert_eq!(b.join().expect("thread b panicked"), 30);
        assert_eq!(graph.values(), [30, 0]);
    }

    #[test]
    fn a_free_neighbour_gets_the_value() {
        let graph = Graph::new(&[(5, 2), (7, 0), (1, 1)]);
        assert_eq!(pass_along(&graph, 0), 5);
        assert_eq!(pass_along(&graph, 1), 7);
        assert_eq!(pass_along(&graph, 0), 7);
        assert_eq!(graph.values(), [0, 0, 13]);
    }

    #[test]
    fn many_threads_passing_around_a_cycle_keep_every_unit() {
        // 0 -> 1 -> 2 -> 3 -> 0, and every thread starts from a different node.
        let graph = Arc::new(Graph::new(&[(100, 1), (100, 2), (100, 3), (100, 0)]));
        let passers = {
            let graph = graph.clone();
            Running::spawn("the passers", move || {
                let handles: Vec<_> = (0..4)
                    .map(|start| {
                        let graph = graph.clone();
                        spawn_named(&format!("passer {start}"), move || {
                            for round in 0..300 {
                                pass_along(&graph, (start + round) % 4);
                            }
                        })
                    })
                    .collect();
                for handle in handles {
                    handle.join().expect("a passer panicked");
                }
            })
        };
        passers.until_finished(
            "two passers each hold a node and wait for the other's: never wait for a \
             lock while holding one (`try_lock_node`, give back, start again)",
        );
        passers.join();
        assert_eq!(graph.values().iter().sum::<i64>(), 400);
    }
}
