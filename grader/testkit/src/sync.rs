//! The `sync` facade of model-checked exercises: std's types in a normal build, the model
//! checker's ([loom](https://docs.rs/loom)) in the grader's model-check build
//! (`--cfg loom`), so one exercise file builds both ways.
//!
//! A normal build (rust-analyzer, `cargo run`, `cargo test`) runs the code once on real
//! threads. The model-check build runs the tests' [`model`](crate::model) closure under
//! every interleaving and every weak-memory outcome the C++/Rust memory model allows
//! (within the exercise's bounds), and flags a data race on an [`cell::UnsafeCell`]
//! ("causality violation"), a failed assertion in any of them, or a deadlock.
//!
//! Everything here has the same name and shape both ways. The one difference from std is
//! [`cell::UnsafeCell`]: access goes through closures (`with`, `with_mut`) so that the
//! model checker sees where each access starts and ends.

/// Atomics and fences: `std::sync::atomic`, or loom's.
pub mod atomic {
    #[cfg(loom)]
    pub use loom::sync::atomic::{
        AtomicBool, AtomicI32, AtomicI64, AtomicIsize, AtomicPtr, AtomicU8, AtomicU16, AtomicU32,
        AtomicU64, AtomicUsize, Ordering, fence,
    };
    #[cfg(not(loom))]
    pub use std::sync::atomic::{
        AtomicBool, AtomicI32, AtomicI64, AtomicIsize, AtomicPtr, AtomicU8, AtomicU16, AtomicU32,
        AtomicU64, AtomicUsize, Ordering, fence,
    };
}

/// Threads: `spawn`, `yield_now`, `JoinHandle` from std, or loom's (which the model
/// checker schedules).
pub mod thread {
    #[cfg(loom)]
    pub use loom::thread::{JoinHandle, spawn, yield_now};
    #[cfg(not(loom))]
    pub use std::thread::{JoinHandle, spawn, yield_now};
}

/// `spin_loop`: a CPU hint in a normal build; under the model checker, a point where
/// another thread is scheduled (so a spin loop cannot spin forever in the model).
pub mod hint {
    #[cfg(loom)]
    pub use loom::hint::spin_loop;
    #[cfg(not(loom))]
    pub use std::hint::spin_loop;
}

/// `UnsafeCell` with the model checker's closure-shaped access.
pub mod cell {
    #[cfg(loom)]
    pub use loom::cell::UnsafeCell;

    /// `std::cell::UnsafeCell`, accessed through closures as loom's is: `with` for a
    /// shared read, `with_mut` for a write. The model checker reports two accesses from
    /// different threads that are not ordered by a happens-before relation, at least one
    /// of them a write, as a causality violation.
    #[cfg(not(loom))]
    #[derive(Debug, Default)]
    pub struct UnsafeCell<T: ?Sized>(std::cell::UnsafeCell<T>);

    #[cfg(not(loom))]
    impl<T> UnsafeCell<T> {
        /// Wraps `value`. (Not `const`, like loom's: a `static` needs another shape.)
        pub fn new(value: T) -> Self {
            UnsafeCell(std::cell::UnsafeCell::new(value))
        }

        /// Unwraps the value.
        pub fn into_inner(self) -> T {
            self.0.into_inner()
        }
    }

    #[cfg(not(loom))]
    impl<T: ?Sized> UnsafeCell<T> {
        /// Reads through a raw pointer that is valid for the closure's duration.
        pub fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
            f(self.0.get().cast_const())
        }

        /// Writes through a raw pointer that is valid for the closure's duration.
        pub fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
            f(self.0.get())
        }
    }
}

#[cfg(loom)]
pub use loom::sync::{Arc, Condvar, Mutex, MutexGuard};
#[cfg(not(loom))]
pub use std::sync::{Arc, Condvar, Mutex, MutexGuard};
