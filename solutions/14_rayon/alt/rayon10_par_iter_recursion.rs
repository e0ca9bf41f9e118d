// ALT: recursion that sums its children's weights with par_iter: no scope, no atomic
use rayon::prelude::*;

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
    fn weight<F: Fn(&Node) -> u64 + Sync>(node: &Node, weigh: &F) -> u64 {
        weigh(node)
            + node
                .children
                .par_iter()
                .map(|child| weight(child, weigh))
                .sum::<u64>()
    }
    weight(root, &weigh)
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
