// ALT: reads the neighbour, lets go, then locks both in id order and checks that the neighbour did not change meanwhile
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
        // Learn the neighbour, then let go: now both ids are known, so a global order works.
        let next = graph.lock_node(from).next;
        assert_ne!(next, from, "node {from} points to itself");
        let mut low = graph.lock_node(from.min(next));
        let mut high = graph.lock_node(from.max(next));
        let (source, target) = if from < next {
            (&mut low, &mut high)
        } else {
            (&mut high, &mut low)
        };
        if source.next != next {
            continue; // It changed while nothing was locked: start again.
        }
        let amount = source.value;
        source.value = 0;
        target.value += amount;
        return amount;
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
