// ALT: no raw pointer and no `unsafe impl`: a wrapper around std's `Arc`, whose own impls have exactly these bounds; the same verdicts
use std::ops::Deref;
use std::sync::Arc;
use std::thread;

/// A shared, read-only handle to a `T`; the last handle to go frees it.
pub struct MyArc<T>(Arc<T>);

impl<T> MyArc<T> {
    pub fn new(value: T) -> Self {
        MyArc(Arc::new(value))
    }

    /// How many handles share the value right now.
    pub fn count(this: &Self) -> usize {
        Arc::strong_count(&this.0)
    }
}

impl<T> Clone for MyArc<T> {
    fn clone(&self) -> Self {
        MyArc(Arc::clone(&self.0))
    }
}

impl<T> Deref for MyArc<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}
fn main() {
    let primes = MyArc::new(vec![2, 3, 5, 7, 11]);
    let workers: Vec<_> = (0..3)
        .map(|id| {
            let primes = primes.clone();
            thread::spawn(move || format!("worker {id}: sum {}", primes.iter().sum::<u32>()))
        })
        .collect();
    for worker in workers {
        println!("{}", worker.join().unwrap());
    }
    println!("handles left: {}", MyArc::count(&primes));
}
