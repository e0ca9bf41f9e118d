//! # Raw pointers and `unsafe impl`: a hand-written `Arc`
//!
//! Raw pointers (`*const T`, `*mut T`, `NonNull<T>`) are neither `Send` nor `Sync`: the
//! compiler cannot know what they point to, who else does, or what guards it. So a type
//! built on one is neither, until you say otherwise with `unsafe impl Send` / `unsafe impl
//! Sync`. That is a promise the compiler cannot check, so write down why it holds, in a
//! `// SAFETY:` comment above it, and give it exactly the bounds that argument needs.
//!
//! `MyArc<T>` below is `Arc` written by hand: a heap block with an atomic count and the
//! value, shared by every handle; the last handle frees it. (Its orderings, `Relaxed` up,
//! `Release` down and an `Acquire` fence before the free, are the subject of `ordering7`.)
//! Think through what handles on several threads do with the `T`: each handle gives out a
//! `&T` (so threads share the `T`), and whichever handle is dropped last drops the `T`, on
//! its own thread (so the `T` moves). Make `MyArc<T>` `Send` and `Sync` exactly when that
//! is safe, with a written argument. Graded by trybuild: the snippets in
//! `grader/ui-harness/cases/send_sync6/` must (`pass/`) or must not (`fail/`) compile against
//! your file.
//!
//! - std: <https://doc.rust-lang.org/std/ptr/struct.NonNull.html>,
//!   `Arc`'s own impls: <https://doc.rust-lang.org/std/sync/struct.Arc.html#impl-Send-for-Arc%3CT,+A%3E>
//! - The Rustonomicon, Send and Sync: <https://doc.rust-lang.org/nomicon/send-and-sync.html>
//! - *Rust Atomics and Locks*, ch. 6 "Building Our Own Arc": <https://marabos.nl/atomics/building-arc.html>
//! - rust_howto, Send and Sync: <https://john-cd.com/rust_howto/categories/concurrency/send_sync.html>

use std::ops::Deref;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicUsize, Ordering, fence};
use std::thread;

struct Inner<T> {
    count: AtomicUsize,
    value: T,
}

/// A shared, read-only handle to a `T`; the last handle to go frees it.
pub struct MyArc<T> {
    inner: NonNull<Inner<T>>,
}

// TODO: a `NonNull` is neither `Send` nor `Sync`, so `MyArc<T>` is neither. Say when it
// may be, with `unsafe impl`s whose bounds follow from a written `// SAFETY:` argument.

impl<T> MyArc<T> {
    pub fn new(value: T) -> Self {
        let inner = Box::new(Inner {
            count: AtomicUsize::new(1),
            value,
        });
        MyArc {
            inner: NonNull::from(Box::leak(inner)),
        }
    }

    /// How many handles share the value right now.
    pub fn count(this: &Self) -> usize {
        this.inner().count.load(Ordering::Relaxed)
    }

    fn inner(&self) -> &Inner<T> {
        // SAFETY: this handle keeps the block alive.
        unsafe { self.inner.as_ref() }
    }
}

impl<T> Clone for MyArc<T> {
    fn clone(&self) -> Self {
        // `Relaxed`: cloning from a live handle publishes nothing (see `ordering7`).
        self.inner().count.fetch_add(1, Ordering::Relaxed);
        MyArc { inner: self.inner }
    }
}

impl<T> Drop for MyArc<T> {
    fn drop(&mut self) {
        // `Release` down, and an `Acquire` fence before the free: every other handle's uses
        // of the value happen before it is dropped (see `ordering7`).
        if self.inner().count.fetch_sub(1, Ordering::Release) == 1 {
            fence(Ordering::Acquire);
            // SAFETY: this was the last handle: nothing else can reach the block.
            drop(unsafe { Box::from_raw(self.inner.as_ptr()) });
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
