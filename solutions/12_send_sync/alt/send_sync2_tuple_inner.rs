// ALT: a tuple struct around an `Arc` of a struct of its own (`Arc<Slot<T>>`): another layout and field type, the same verdicts
use std::ops::Deref;
use std::sync::Arc;
use std::thread;

/// A read-only value shared by every handle; the last handle to go frees it.
pub struct Shared<T>(Arc<Slot<T>>);

/// The shared block.
struct Slot<T> {
    value: T,
}

impl<T> Shared<T> {
    pub fn new(value: T) -> Self {
        Shared(Arc::new(Slot { value }))
    }

    /// How many handles share the value right now.
    pub fn handles(&self) -> usize {
        Arc::strong_count(&self.0)
    }
}

// Written by hand, not derived: `#[derive(Clone)]` would require `T: Clone`, and cloning a
// handle never clones the value.
impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(Arc::clone(&self.0))
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0.value
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
