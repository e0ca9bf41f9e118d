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

#[cfg(test)]
mod tests {
    use super::*;
    use std::panic::{self, AssertUnwindSafe};
    use std::sync::Arc;
    use threadlings_testkit::Rendezvous;

    fn join_all<R>(handles: Vec<JoinHandle<R>>) -> Vec<R> {
        handles
            .into_iter()
            .map(|handle| handle.join().expect("a worker panicked"))
            .collect()
    }

    #[test]
    fn each_worker_sees_its_own_name() {
        let handles = spawn_named("indexer", 3, 256 * 1024, |i| {
            (i, thread::current().name().map(String::from))
        })
        .expect("three small threads can be started");
        assert_eq!(
            join_all(handles),
            vec![
                (0, Some("indexer-0".to_string())),
                (1, Some("indexer-1".to_string())),
                (2, Some("indexer-2".to_string())),
            ],
            "worker i must run on a thread named \"indexer-i\""
        );
    }

    #[test]
    fn the_handles_know_the_names_too() {
        let handles = spawn_named("disk", 2, 256 * 1024, |_| ()).expect("threads start");
        let names: Vec<_> = handles
            .iter()
            .map(|handle| handle.thread().name().map(String::from))
            .collect();
        join_all(handles);
        assert_eq!(
            names,
            [Some("disk-0".to_string()), Some("disk-1".to_string())]
        );
    }

    #[test]
    fn workers_run_at_the_same_time() {
        let meeting = Arc::new(Rendezvous::new(
            4,
            "the workers did not all run at once: spawn every one before joining any",
        ));
        let at_meeting = Arc::clone(&meeting);
        let handles = spawn_named("meet", 4, 256 * 1024, move |_| at_meeting.arrive())
            .expect("four small threads can be started");
        join_all(handles);
        assert_eq!(meeting.arrived(), 4);
    }

    #[test]
    fn a_thread_that_cannot_start_is_an_error_not_a_panic() {
        // Half the address space: no OS can give a thread a stack this big.
        let impossible_stack = usize::MAX / 2;
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
            spawn_named("huge", 2, impossible_stack, |_| ())
        }));
        let Ok(result) = outcome else {
            panic!(
                "spawn_named panicked: return the `io::Error` from `Builder::spawn` to the \
                 caller instead of unwrapping it"
            );
        };
        assert!(
            result.is_err(),
            "a thread with a stack of {impossible_stack} bytes started: was `stack_size` \
             passed to the Builder?"
        );
    }

    #[test]
    fn zero_workers_is_fine() {
        let handles = spawn_named("none", 0, 256 * 1024, |i| {
            panic!("no worker should run, but worker {i} did")
        })
        .expect("starting no thread cannot fail");
        assert!(handles.is_empty());
    }
}
