// WRONG: loads the count, then stores one less: two handles dropped at once can both see 2, and the value is never freed
//! # A reference count: `Relaxed` up, `Release` down, an `Acquire` fence at zero
//!
//! This is how `std::sync::Arc` frees its value, and the capstone of the orderings you
//! have met. Each handle counts one; the handle that brings the count to zero frees the
//! value. Three operations, three answers:
//!
//! - **clone** (`fetch_add`): `Relaxed`. A clone is made from a live handle, so the value
//!   cannot be freed meanwhile, and the increment publishes nothing.
//! - **drop** (`fetch_sub`): `Release`. Every handle's last uses of the value must happen
//!   before the value is freed: each decrement publishes its thread's uses.
//! - **the last drop**: `fence(Acquire)` before freeing. It pairs with every `Release`
//!   decrement the count has seen, so all other threads' uses happen-before the free.
//!   (An `AcqRel` decrement would work too, but pays for the acquire on every drop; the
//!   fence pays only on the last one.)
//!
//! x86 hides a `Relaxed` decrement; the model checker reports the free (a write to the
//! value) as a causality violation with another thread's read of it.
//!
//! - std: <https://doc.rust-lang.org/std/sync/atomic/fn.fence.html>,
//!   <https://doc.rust-lang.org/std/sync/struct.Arc.html>
//! - *Rust Atomics and Locks*, ch. 6 "Building Our Own Arc":
//!   <https://marabos.nl/atomics/building-arc.html>

use std::ptr::NonNull;

use threadlings_testkit::sync::atomic::{AtomicUsize, Ordering};
use threadlings_testkit::sync::cell::UnsafeCell;

struct Inner<T> {
    count: AtomicUsize,
    value: UnsafeCell<Option<T>>,
}

/// A shared, read-only handle to a `T`, freed when the last handle is dropped.
pub struct Shared<T> {
    inner: NonNull<Inner<T>>,
}

// SAFETY: handles in several threads share the `T` (`T: Sync`), and the last one, in any
// thread, drops it (`T: Send`); the count is atomic.
unsafe impl<T: Send + Sync> Send for Shared<T> {}
// SAFETY: as above.
unsafe impl<T: Send + Sync> Sync for Shared<T> {}

impl<T> Shared<T> {
    pub fn new(value: T) -> Self {
        let inner = Box::new(Inner {
            count: AtomicUsize::new(1),
            value: UnsafeCell::new(Some(value)),
        });
        Shared {
            inner: NonNull::from(Box::leak(inner)),
        }
    }

    fn inner(&self) -> &Inner<T> {
        // SAFETY: this handle keeps the allocation alive.
        unsafe { self.inner.as_ref() }
    }

    /// Runs `f` on the value.
    pub fn with<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        self.inner().value.with(|value| {
            // SAFETY: the value is only written (freed) once no handle is left, and this
            // is one.
            let value = unsafe { &*value };
            f(value.as_ref().expect("a live handle has a value"))
        })
    }

    /// How many handles exist (for tests and `main`; it may be stale at once).
    pub fn count(&self) -> usize {
        self.inner().count.load(Ordering::Relaxed)
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        // Relaxed: a handle exists, so the value stays alive; nothing is published.
        self.inner().count.fetch_add(1, Ordering::Relaxed);
        Shared { inner: self.inner }
    }
}

impl<T> Drop for Shared<T> {
    fn drop(&mut self) {
        // Acquire and Release: the count's load sees the other handles' uses, and the
        // store publishes this one's.
        let count = self.inner().count.load(Ordering::Acquire);
        self.inner().count.store(count - 1, Ordering::Release);
        if count != 1 {
            return;
        }
        // SAFETY: the count reached zero: no other handle exists, and the fence ordered
        // every use before this point.
        self.inner()
            .value
            .with_mut(|value| unsafe { *value = None });
        // SAFETY: the last handle; the allocation came from `Box::leak` in `new`.
        drop(unsafe { Box::from_raw(self.inner.as_ptr()) });
    }
}

fn main() {
    let greeting = Shared::new(String::from("hello"));
    let copy = greeting.clone();
    println!("{} handles", greeting.count());
    let handle = std::thread::spawn(move || copy.with(|text| text.len()));
    println!("length {}", handle.join().expect("the reader panicked"));
    println!("{} handle", greeting.count());
}
