//! # `Rc` stays on its thread, `Arc` crosses
//!
//! `Rc<T>` counts its handles with a plain integer: two threads cloning or dropping handles
//! at once would race on the count, and free the value too early or never. So `Rc` is
//! neither `Send` nor `Sync`, and the compiler refuses to let one reach another thread.
//! `Arc<T>` ("atomically reference counted") counts with an atomic integer: its handles can
//! be cloned, moved and dropped on any thread. It is `Send` and `Sync` exactly when `T` is
//! both: handles on several threads share one `T` (so `T: Sync`), and the last handle,
//! wherever it is, drops it (so `T: Send`).
//!
//! `Shared<T>` below is a read-only value shared by handles, freed with the last one. The
//! program hands a clone to each worker thread, and does not compile. Make `Shared` cross
//! threads, exactly when an `Arc` of the same `T` could. Graded by trybuild: the snippets in
//! `grader/ui-harness/cases/send_sync2/` must (`pass/`) or must not (`fail/`) compile
//! against your file.
//!
//! - std: <https://doc.rust-lang.org/std/sync/struct.Arc.html>,
//!   <https://doc.rust-lang.org/std/rc/struct.Rc.html>
//! - The Rust book, `Arc<T>`: <https://doc.rust-lang.org/book/ch16-03-shared-state.html#atomic-reference-counting-with-arct>
//! - rust_howto, Send and Sync: <https://john-cd.com/rust_howto/categories/concurrency/send_sync.html>

use std::ops::Deref;
use std::sync::Arc;
use std::thread;

/// A read-only value shared by every handle; the last handle to go frees it.
pub struct Shared<T> {
    // `Arc`, not `Rc`: the count is atomic, so handles may live and die on any thread.
    // `Arc<T>` is `Send + Sync` when `T: Send + Sync`, and so is `Shared<T>`, with no
    // `unsafe impl` to get wrong.
    value: Arc<T>,
}

impl<T> Shared<T> {
    pub fn new(value: T) -> Self {
        Shared {
            value: Arc::new(value),
        }
    }

    /// How many handles share the value right now.
    pub fn handles(&self) -> usize {
        Arc::strong_count(&self.value)
    }
}

// Written by hand, not derived: `#[derive(Clone)]` would require `T: Clone`, and cloning a
// handle never clones the value.
impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared {
            value: Arc::clone(&self.value),
        }
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

fn main() {
    let words = Shared::new(vec!["send", "sync", "arc"]);
    let workers: Vec<_> = (0..3)
        .map(|id| {
            let words = words.clone();
            thread::spawn(move || format!("worker {id} sees {} words", words.len()))
        })
        .collect();
    for worker in workers {
        println!("{}", worker.join().unwrap());
    }
    println!("handles left: {}", words.handles());
}
