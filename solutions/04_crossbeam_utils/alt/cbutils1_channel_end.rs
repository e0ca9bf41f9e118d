// ALT: collects the sizes over a channel that closes when the last walker drops its `on_dir`: no `wait` at all
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
    // Each walker holds a clone of `on_dir`, and with it a Sender: the channel closes when
    // the last walker is done.
    let (tx, rx) = std::sync::mpsc::channel::<u64>();
    let tx = std::sync::Mutex::new(tx);
    spawn_walker(
        root,
        WaitGroup::new(),
        Arc::new(move |dir: &Dir| {
            let sent = tx.lock().unwrap().send(dir.file_sizes.iter().sum());
            sent.expect("the caller receives until every walker is done");
        }),
    );
    rx.iter().sum()
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
