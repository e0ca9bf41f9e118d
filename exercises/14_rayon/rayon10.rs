//! # Tasks that spawn tasks: `rayon::scope`
//!
//! Parallel iterators fit work whose shape you know up front. A tree (a directory walk, a
//! parsed document, a search) reveals its shape as you go: each node you visit may have
//! children to visit too. `rayon::scope(|s| ...)` opens a scope on the current pool in
//! which `s.spawn(|s| ...)` starts a task, and every task gets the scope again, so it can
//! spawn its own children's tasks. `scope` returns only once every task spawned in it,
//! at any depth, has finished, so the tasks may borrow anything that outlives the scope:
//! the tree itself, the closure, a shared counter.
//!
//! The tasks return nothing: they report through what they borrow, here an `AtomicU64`
//! they add to (`Relaxed` is enough: `scope` returning orders every task's work before
//! the caller's read).
//!
//! - rayon: <https://docs.rs/rayon/1/rayon/fn.scope.html>,
//!   <https://docs.rs/rayon/1/rayon/struct.Scope.html#method.spawn>
//! - rust_howto, data parallelism:
//!   <https://john-cd.com/rust_howto/categories/concurrency/data_parallelism.html>

use std::sync::atomic::{AtomicU64, Ordering};

/// A node of a tree: a directory with its files and subdirectories, say.
#[derive(Debug, Default)]
pub struct Node {
    pub name: String,
    pub size: u64,
    pub children: Vec<Node>,
}

/// The sum of `weigh(node)` over every node of the tree under `root` (itself included),
/// each child weighed in a task of its own on the current pool.
pub fn total_weight<F>(root: &Node, weigh: F) -> u64
where
    F: Fn(&Node) -> u64 + Sync,
{
    let total = AtomicU64::new(0);
    // TODO: open a scope on the current pool, and visit the root inside it.
    visit(root, &weigh, &total);
    total.into_inner()
}

/// Visits every child of `node` (and theirs), then weighs `node` itself.
fn visit<F>(node: &Node, weigh: &F, total: &AtomicU64)
where
    F: Fn(&Node) -> u64 + Sync,
{
    // TODO: give each child a task of its own in the scope, so that it can spawn tasks
    // for its own children. `visit` needs the scope for that, and its references must
    // live as long as the scope (`&'scope Node`, ...).
    for child in &node.children {
        visit(child, weigh, total);
    }
    total.fetch_add(weigh(node), Ordering::Relaxed);
}

/// The total size of a directory tree.
pub fn total_size(root: &Node) -> u64 {
    total_weight(root, |node| node.size)
}

fn main() {
    let file = |name: &str, size| Node {
        name: name.to_string(),
        size,
        children: Vec::new(),
    };
    let dir = |name: &str, children| Node {
        name: name.to_string(),
        size: 4096,
        children,
    };
    let home = dir(
        "home",
        vec![
            dir(
                "docs",
                vec![file("cv.pdf", 81_234), file("notes.txt", 1_024)],
            ),
            dir("music", vec![file("song.ogg", 4_812_345)]),
            file(".profile", 807),
        ],
    );
    println!("{} holds {} bytes", home.name, total_size(&home));
}

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::{ThreadPool, ThreadPoolBuilder};
    use std::thread;
    use threadlings_testkit::Meeting;

    /// A pool of `threads` workers named `<name>-0`, `<name>-1`, ...
    fn test_pool(threads: usize, name: &'static str) -> ThreadPool {
        ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(move |index| format!("{name}-{index}"))
            .build()
            .expect("failed to build the test pool")
    }

    /// Panics unless the current thread is one of the workers of the pool named `name`.
    fn assert_on_pool(name: &str) {
        let current = thread::current();
        let thread_name = current.name().unwrap_or("<unnamed>");
        assert!(
            thread_name.starts_with(&format!("{name}-")) && rayon::current_thread_index().is_some(),
            "a node was weighed on thread {thread_name:?}, not on the caller's pool: spawn \
             the tasks with `rayon::scope`, which runs on the current pool"
        );
    }

    /// A tree of the given `depth` whose nodes have `fan_out` children each; every node
    /// weighs 1.
    fn tree(depth: u32, fan_out: usize) -> Node {
        Node {
            name: format!("depth {depth}"),
            size: 1,
            children: if depth == 0 {
                Vec::new()
            } else {
                (0..fan_out).map(|_| tree(depth - 1, fan_out)).collect()
            },
        }
    }

    #[test]
    fn every_node_is_weighed_once() {
        let pool = test_pool(3, "weigh");
        // 1 + 3 + 9 + 27 + 81 + 243 nodes.
        assert_eq!(pool.install(|| total_size(&tree(5, 3))), 364);
        assert_eq!(pool.install(|| total_size(&tree(0, 3))), 1);
        let chain = tree(40, 1);
        assert_eq!(pool.install(|| total_weight(&chain, |_| 2)), 82);
    }

    #[test]
    fn nodes_are_weighed_on_the_callers_pool() {
        let pool = test_pool(3, "caller");
        let total = pool.install(|| {
            total_weight(&tree(4, 3), |node| {
                assert_on_pool("caller");
                node.size
            })
        });
        assert_eq!(total, 121);
    }

    #[test]
    fn nested_children_are_weighed_on_every_pool_thread_at_once() {
        // The root has one child, which has three children: leaves two levels down.
        // Weighing a leaf waits until all three leaves are being weighed at the same
        // time, which three pool threads can do only if every node's children get tasks
        // of their own, at every depth.
        let pool = test_pool(3, "together");
        let meeting = Meeting::new(
            3,
            "the leaves were weighed one after another: spawn a task for each child, at \
             every level of the tree (a task gets the scope, `|s| ...`, to spawn its own)",
        );
        let root = Node {
            name: "root".to_string(),
            size: 1,
            children: vec![tree(1, 3)],
        };
        let total = pool.install(|| {
            total_weight(&root, |node| {
                assert_on_pool("together");
                if node.children.is_empty() {
                    meeting.arrive();
                }
                node.size
            })
        });
        assert_eq!(total, 5);
    }
}
