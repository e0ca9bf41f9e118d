//! # Waiting for a dynamic set of threads with `WaitGroup`
//!
//! Joining needs a `JoinHandle` for every thread, held by whoever waits. That breaks
//! down when threads start other threads: a directory walker that spawns a walker per
//! subdirectory discovers its threads as it goes, and the handles end up scattered.
//! `crossbeam::sync::WaitGroup` counts them instead. Every thread that must be waited for
//! owns a clone (clone it *before* spawning, and move the clone in); dropping the clone
//! says "I am done". `wg.wait()` consumes the waiter's own clone and blocks until every
//! other clone is gone, however many there were and whoever created them.
//!
//! The mistakes: a thread that got no clone (or a brand-new `WaitGroup`) is invisible to
//! the waiter, who may then read results that are not there yet; a clone that is never
//! dropped makes `wait` block forever.
//!
//! - crossbeam: <https://docs.rs/crossbeam/0.8/crossbeam/sync/struct.WaitGroup.html>
//! - Go's `sync.WaitGroup`, its model: <https://pkg.go.dev/sync#WaitGroup>

use crossbeam::sync::WaitGroup;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;

/// A directory held in memory: its name, the sizes of its files, its subdirectories.
#[derive(Debug, Default)]
pub struct Dir {
    pub name: String,
    pub file_sizes: Vec<u64>,
    pub subdirs: Vec<Arc<Dir>>,
}

/// Starts a walker thread for `dir` and returns at once. The walker owns `done` (a clone
/// of the caller's wait group): it first starts a walker for every subdirectory, each
/// owning its own clone of `done`, then calls `on_dir(&dir)`, and drops `done` when it
/// finishes. So the caller's `wait` returns only once every walker of the tree is done.
pub fn spawn_walker<F>(dir: Arc<Dir>, done: WaitGroup, on_dir: Arc<F>)
where
    F: Fn(&Dir) + Send + Sync + 'static,
{
    thread::spawn(move || {
        for subdir in &dir.subdirs {
            // Clone before spawning: the child is counted from this moment, before this
            // walker could possibly finish and drop its own clone.
            spawn_walker(Arc::clone(subdir), done.clone(), Arc::clone(&on_dir));
        }
        on_dir(&dir);
        // Our clone goes last: this walker is done.
        drop(done);
    });
}

/// The total size of the files in `root` and below, with one walker thread per directory.
pub fn total_size(root: Arc<Dir>) -> u64 {
    let total = Arc::new(AtomicU64::new(0));
    let all_done = WaitGroup::new();
    let add = Arc::clone(&total);
    spawn_walker(
        root,
        all_done.clone(),
        Arc::new(move |dir: &Dir| {
            add.fetch_add(dir.file_sizes.iter().sum(), Ordering::Relaxed);
        }),
    );
    // Every walker dropped its clone after adding its sizes; `wait` synchronizes with
    // those drops, so all the additions are visible here.
    all_done.wait();
    total.load(Ordering::Relaxed)
}

fn main() {
    let dir = |name: &str, file_sizes: Vec<u64>, subdirs: Vec<Arc<Dir>>| {
        Arc::new(Dir {
            name: name.to_string(),
            file_sizes,
            subdirs,
        })
    };
    let root = dir(
        "project",
        vec![1200, 800],
        vec![
            dir("src", vec![4096, 2048], vec![dir("bin", vec![512], vec![])]),
            dir("docs", vec![10_000], vec![]),
        ],
    );
    println!("{} uses {} bytes", root.name, total_size(root.clone()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use threadlings_testkit::{Gate, Running, Watch};

    fn dir(name: &str, file_sizes: Vec<u64>, subdirs: Vec<Arc<Dir>>) -> Arc<Dir> {
        Arc::new(Dir {
            name: name.to_string(),
            file_sizes,
            subdirs,
        })
    }

    /// Seven directories, three levels deep.
    fn tree() -> Arc<Dir> {
        dir(
            "root",
            vec![1],
            vec![
                dir(
                    "a",
                    vec![10, 20],
                    vec![dir("a1", vec![100], vec![]), dir("a2", vec![], vec![])],
                ),
                dir(
                    "b",
                    vec![1000],
                    vec![dir("b1", vec![10_000], vec![dir("b11", vec![5], vec![])])],
                ),
            ],
        )
    }

    /// How many clones of `wg` are alive: crossbeam's `WaitGroup` shows it in its Debug
    /// output, `WaitGroup { count: N }`.
    fn clones_alive(wg: &WaitGroup) -> usize {
        let shown = format!("{wg:?}");
        shown
            .trim_start_matches("WaitGroup { count: ")
            .trim_end_matches(" }")
            .parse()
            .unwrap_or_else(|_| panic!("unexpected Debug output {shown:?}"))
    }

    #[test]
    fn total_size_adds_every_file() {
        assert_eq!(total_size(tree()), 11_136);
    }

    #[test]
    fn a_lone_directory_is_walked_once() {
        assert_eq!(total_size(dir("lonely", vec![3, 4], vec![])), 7);
        assert_eq!(total_size(dir("empty", vec![], vec![])), 0);
    }

    #[test]
    fn total_size_waits_for_the_walkers_without_sleeping() {
        let running = Running::spawn("`total_size`", || total_size(tree()));
        running.finishes_blocking(
            "wait for the walkers with `WaitGroup::wait`: a sleep only guesses how long they \
             take",
        );
        assert_eq!(running.join(), 11_136);
    }

    #[test]
    fn every_running_walker_holds_a_clone() {
        // Every walker waits at the gate inside `on_dir` until the test has counted the
        // wait group's clones: all seven walkers must be running, each holding a clone.
        let watch = Watch::start();
        let gate = Arc::new(Gate::new("the walkers"));
        let _release = gate.open_on_drop();
        let visited = Arc::new(Mutex::new(Vec::new()));
        let on_dir = {
            let (gate, visited) = (Arc::clone(&gate), Arc::clone(&visited));
            Arc::new(move |dir: &Dir| {
                gate.wait();
                visited.lock().unwrap().push(dir.name.clone());
            })
        };
        let all_done = WaitGroup::new();
        spawn_walker(tree(), all_done.clone(), on_dir);
        watch.until_blocked(
            &|| false,
            "the walkers",
            "every walker was held inside on_dir",
            "a walker waits for nothing but the test's gate",
        );
        let held = gate.waiting();
        let counted = clones_alive(&all_done) - 1;
        gate.open();
        assert_eq!(
            held, 7,
            "only {held} of 7 walkers were running at once: a walker must start the walkers \
             of its subdirectories (on new threads) before it calls on_dir"
        );
        assert!(
            counted >= 7,
            "7 walkers are running but the wait group counts only {counted} clone(s) besides \
             ours: every walker must own a clone of `done` (cloned before it is spawned, not \
             a new WaitGroup) until it finishes"
        );
        all_done.wait();
        let mut visited = visited.lock().unwrap().clone();
        visited.sort();
        assert_eq!(visited, ["a", "a1", "a2", "b", "b1", "b11", "root"]);
    }
}
