// Clones of a `Shared<T>` move to other threads (`Shared<Vec<u64>>` is `Send`), all share
// one value, and the last handle to go, on whichever thread, frees it exactly once.
#[path = "../lesson.rs"]
#[allow(warnings)]
mod lesson;

use lesson::Shared;
use std::sync::Barrier;
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
    let shared = Shared::new(Counted(vec![1, 2, 3]));
    // Addresses as numbers: a raw pointer could not go into the threads.
    let here = &*shared as *const Counted as usize;
    let (arrived, leave) = (Barrier::new(4), Barrier::new(4));
    thread::scope(|scope| {
        for _ in 0..3 {
            let handle = shared.clone();
            let (arrived, leave) = (&arrived, &leave);
            // `move`: the worker owns its handle, and drops it on its own thread.
            scope.spawn(move || {
                let there = &*handle as *const Counted as usize;
                assert_eq!(here, there, "a clone must share the value, not copy it");
                assert_eq!(handle.0.iter().sum::<u64>(), 6);
                arrived.wait();
                leave.wait();
            });
        }
        arrived.wait();
        assert_eq!(
            shared.handles(),
            4,
            "four handles are alive: this one and three clones"
        );
        leave.wait();
    });
    assert_eq!(shared.handles(), 1, "the workers' handles went with them");
    assert_eq!(
        DROPS.load(Ordering::SeqCst),
        0,
        "the value is freed with the last handle only"
    );
    // The last handle goes on another thread: it frees the value there.
    thread::spawn(move || drop(shared)).join().unwrap();
    assert_eq!(
        DROPS.load(Ordering::SeqCst),
        1,
        "the last handle frees the value, once"
    );
}
