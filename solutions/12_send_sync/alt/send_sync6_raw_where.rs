// ALT: a `*mut` pointer with a `PhantomData` owner, other field names, the bounds in `where` clauses: the same verdicts
use std::marker::PhantomData;
use std::ops::Deref;
use std::sync::atomic::{AtomicUsize, Ordering, fence};
use std::thread;

struct Inner<T> {
    count: AtomicUsize,
    value: T,
}

/// A shared, read-only handle to a `T`; the last handle to go frees it.
pub struct MyArc<T> {
    block: *mut Inner<T>,
    // The handle owns (a share of) an `Inner<T>`: the drop checker must know.
    owns: PhantomData<Inner<T>>,
}

// SAFETY: moving a handle shares the `T` with the other handles' threads (`T: Sync`), and
// the handle may be the last, dropping the `T` where it is (`T: Send`); the count is atomic.
unsafe impl<T> Send for MyArc<T> where T: Send + Sync {}
// SAFETY: a shared handle can be cloned there, so the same argument holds.
unsafe impl<T> Sync for MyArc<T> where T: Send + Sync {}

impl<T> MyArc<T> {
    pub fn new(value: T) -> Self {
        let inner = Box::new(Inner {
            count: AtomicUsize::new(1),
            value,
        });
        MyArc {
            block: Box::into_raw(inner),
            owns: PhantomData,
        }
    }

    /// How many handles share the value right now.
    pub fn count(this: &Self) -> usize {
        this.inner().count.load(Ordering::Relaxed)
    }

    fn inner(&self) -> &Inner<T> {
        // SAFETY: this handle keeps the block alive.
        unsafe { &*self.block }
    }
}

impl<T> Clone for MyArc<T> {
    fn clone(&self) -> Self {
        // `Relaxed`: cloning from a live handle publishes nothing (see `ordering7`).
        self.inner().count.fetch_add(1, Ordering::Relaxed);
        MyArc {
            block: self.block,
            owns: PhantomData,
        }
    }
}

impl<T> Drop for MyArc<T> {
    fn drop(&mut self) {
        // `Release` down, and an `Acquire` fence before the free: every other handle's uses
        // of the value happen before it is dropped (see `ordering7`).
        if self.inner().count.fetch_sub(1, Ordering::Release) == 1 {
            fence(Ordering::Acquire);
            // SAFETY: this was the last handle: nothing else can reach the block.
            drop(unsafe { Box::from_raw(self.block) });
        }
    }
}

impl<T> Deref for MyArc<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.inner().value
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
