// WRONG: unwraps `Builder::spawn`: a thread that cannot start panics instead of returning the error
//! # Configuring threads with `thread::Builder`
//!
//! `thread::spawn(f)` is short for `thread::Builder::new().spawn(f).unwrap()`. A `Builder`
//! configures the thread before it starts: `.name(...)` gives it a name, which shows in
//! panic messages ("thread 'indexer-2' panicked at ..."), debuggers and profilers, and
//! which the thread itself reads with `thread::current().name()`; `.stack_size(bytes)`
//! sets its stack (spawned threads get 2 MiB by default, deep recursion may need more).
//!
//! Starting a thread can fail: the OS may be out of memory or threads, or refuse the stack
//! size. `Builder::spawn` returns that as an `io::Result<JoinHandle<T>>`; a library should
//! hand the error to its caller rather than panic the way `thread::spawn` does.
//!
//! - std: <https://doc.rust-lang.org/std/thread/struct.Builder.html>,
//!   <https://doc.rust-lang.org/std/thread/index.html#naming-threads>
//! - rust_howto, explicit threads:
//!   <https://john-cd.com/rust_howto/categories/concurrency/explicit_threads.html>

use std::io;
use std::thread::{self, JoinHandle};

/// Starts `count` workers at once. Worker `i` runs `work(i)` on a thread named
/// `"{prefix}-{i}"` with a stack of `stack_size` bytes. Returns the handles in worker order,
/// or the error if a thread could not be started.
pub fn spawn_named<F, R>(
    prefix: &str,
    count: usize,
    stack_size: usize,
    work: F,
) -> io::Result<Vec<JoinHandle<R>>>
where
    F: Fn(usize) -> R + Clone + Send + 'static,
    R: Send + 'static,
{
    // Collecting into `io::Result<Vec<_>>` stops at the first error. The workers already
    // started keep running, detached: nobody will join them, so they must not matter.
    (0..count)
        .map(|i| {
            let work = work.clone();
            thread::Builder::new()
                .name(format!("{prefix}-{i}"))
                .stack_size(stack_size)
                .spawn(move || work(i))
                .expect("the OS refused to start a thread")
        })
        .map(Ok)
        .collect()
}

fn main() -> io::Result<()> {
    let handles = spawn_named("greeter", 3, 64 * 1024, |i| {
        let me = thread::current();
        format!(
            "worker {i} is called {:?}",
            me.name().unwrap_or("<unnamed>")
        )
    })?;
    for handle in handles {
        println!("{}", handle.join().expect("a greeter panicked"));
    }
    Ok(())
}
