// WRONG: keeps the `Rc` and silences the compiler with `unsafe impl Send/Sync` for every `T`: a `Shared<Cell<_>>` would cross threads, and the count races
use std::ops::Deref;
use std::rc::Rc;
use std::thread;

/// A read-only value shared by every handle; the last handle to go frees it.
pub struct Shared<T> {
    value: Rc<T>,
}

impl<T> Shared<T> {
    pub fn new(value: T) -> Self {
        Shared {
            value: Rc::new(value),
        }
    }

    /// How many handles share the value right now.
    pub fn handles(&self) -> usize {
        Rc::strong_count(&self.value)
    }
}

// Written by hand, not derived: `#[derive(Clone)]` would require `T: Clone`, and cloning a
// handle never clones the value.
impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared {
            value: Rc::clone(&self.value),
        }
    }
}

// "Fixes" the compile error: the compiler believes the promise, and two threads now race
// on the `Rc`'s plain count.
unsafe impl<T> Send for Shared<T> {}
unsafe impl<T> Sync for Shared<T> {}

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
