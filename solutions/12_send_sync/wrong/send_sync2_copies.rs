// WRONG: each clone copies the value instead of sharing it: it crosses threads, but a `Shared<Cell<_>>` would too, clones are not one value, and `T` must be `Clone`
use std::ops::Deref;
use std::thread;

/// A read-only value shared by every handle; the last handle to go frees it.
pub struct Shared<T> {
    // Every thread gets its own copy: nothing is shared, so nothing can race.
    value: Box<T>,
}

impl<T> Shared<T> {
    pub fn new(value: T) -> Self {
        Shared {
            value: Box::new(value),
        }
    }

    /// How many handles share the value right now.
    pub fn handles(&self) -> usize {
        1
    }
}

impl<T: Clone> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared {
            value: self.value.clone(),
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
