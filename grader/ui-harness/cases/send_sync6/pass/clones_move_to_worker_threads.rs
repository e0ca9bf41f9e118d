// Clones of a `MyArc<T>` move to other threads (`MyArc<Vec<u64>>` is `Send`), all share one
// value, and the last handle, on whichever thread, frees it exactly once.
#[path = "../lesson.rs"]
#[allow(warnings)]
mod lesson;

use lesson::MyArc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

static DROPS: AtomicUsize = AtomicUsize::new(0);

/// Counts how often it is dropped.
struct Counted(Vec<u64>);

impl Drop for Counted {
    fn drop(&mut self) {
        DROPS.fetch_add(1, Ordering::SeqCst);
    }
}

fn main() {
    let shared = MyArc::new(Counted(vec![1, 2, 3]));
    // Addresses as numbers: a raw pointer could not go into the threads.
    let here = &*shared as *const Counted as usize;
    let workers: Vec<_> = (0..3)
        .map(|_| {
            let handle = shared.clone();
            thread::spawn(move || {
                assert_eq!(
                    here, &*handle as *const Counted as usize,
                    "one shared value"
                );
                handle.0.iter().sum::<u64>()
            })
        })
        .collect();
    for worker in workers {
        assert_eq!(worker.join().unwrap(), 6);
    }
    assert_eq!(
        MyArc::count(&shared),
        1,
        "the workers' handles went with them"
    );
    assert_eq!(
        DROPS.load(Ordering::SeqCst),
        0,
        "the value is freed with the last handle only"
    );
    thread::spawn(move || drop(shared)).join().unwrap();
    assert_eq!(
        DROPS.load(Ordering::SeqCst),
        1,
        "the last handle frees the value, once"
    );
}
