// WRONG: joins each job right after starting it, so the jobs run one at a time
//! # Capstone: jobs that panic
//!
//! A panic in a spawned thread unwinds that thread only. The rest of the program carries
//! on, and the thread's `join()` returns `Err(payload)`: a `Box<dyn Any + Send>` holding
//! what was passed to `panic!`. `panic!("literal")` carries a `&'static str`,
//! `panic!("{x}")` a `String`; `downcast_ref` gets the message back. A scope re-raises the
//! panic of a scoped thread that nobody joined, but one you join yourself is yours to handle.
//!
//! Put the topic together: run every job at the same time, each on its own thread named
//! after the job (`thread::Builder::spawn_scoped`), inside a `thread::scope` so that jobs
//! may borrow the caller's data; then join them all and report which jobs finished, and
//! which failed with what message. The panic hook still prints each panic on stderr, with
//! the thread's name: that is expected.
//!
//! - std: <https://doc.rust-lang.org/std/thread/struct.ScopedJoinHandle.html#method.join>,
//!   <https://doc.rust-lang.org/std/thread/struct.Builder.html#method.spawn_scoped>,
//!   <https://doc.rust-lang.org/std/any/trait.Any.html#method.downcast_ref-1>
//! - The Rust book, 9.1, unrecoverable errors with `panic!`:
//!   <https://doc.rust-lang.org/book/ch09-01-unrecoverable-errors-with-panic.html>
//! - rust_howto, explicit threads:
//!   <https://john-cd.com/rust_howto/categories/concurrency/explicit_threads.html>

use std::any::Any;
use std::io;
use std::thread;

/// A named piece of work, which may borrow data that outlives the call to [`run_jobs`].
pub struct Job<'a, R> {
    pub name: String,
    pub run: Box<dyn FnOnce() -> R + Send + 'a>,
}

impl<'a, R> Job<'a, R> {
    pub fn new(name: &str, run: impl FnOnce() -> R + Send + 'a) -> Self {
        Job {
            name: name.to_string(),
            run: Box::new(run),
        }
    }
}

/// What became of a batch of jobs. Both lists are in job order.
#[derive(Debug, PartialEq, Eq)]
pub struct Report<R> {
    /// The jobs that returned: their names and results.
    pub finished: Vec<(String, R)>,
    /// The jobs that panicked: their names and panic messages.
    pub failed: Vec<(String, String)>,
}

/// The message of a panic: the `&str` or `String` given to `panic!`, or
/// `"<non-string panic payload>"` for anything else (`std::panic::panic_any(42)`).
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        message.to_string()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "<non-string panic payload>".to_string()
    }
}

/// Runs every job at the same time, each on its own thread named after it, and reports
/// which jobs finished and which panicked. A panicking job does not stop the others. Fails
/// only if a thread cannot be started.
pub fn run_jobs<R: Send>(jobs: Vec<Job<'_, R>>) -> io::Result<Report<R>> {
    // A scope, so that jobs may borrow: every thread is joined before it returns.
    thread::scope(|scope| {
        // Start every job before joining any, so they all run at once.
        let mut running = Vec::with_capacity(jobs.len());
        for job in jobs {
            // If this fails, `?` leaves the scope, which still joins the jobs already
            // started (and re-raises their panics, since no one else joins them).
            let handle = thread::Builder::new()
                .name(job.name.clone())
                .spawn_scoped(scope, job.run)?;
            running.push((job.name, handle.join()));
        }
        let mut report = Report {
            finished: Vec::new(),
            failed: Vec::new(),
        };
        for (name, joined) in running {
            match joined {
                Ok(result) => report.finished.push((name, result)),
                // `&*payload` is the payload itself. `&payload` would compile too, as a
                // `&Box<dyn Any + Send>`, and every downcast of the Box would fail.
                Err(payload) => report.failed.push((name, panic_message(&*payload))),
            }
        }
        Ok(report)
    })
}

fn main() -> io::Result<()> {
    let words: Vec<&str> = "the quick brown fox jumps over the lazy dog"
        .split(' ')
        .collect();
    let report = run_jobs(vec![
        Job::new("count-words", || words.len()),
        Job::new("longest-word", || {
            words.iter().map(|w| w.len()).max().unwrap_or(0)
        }),
        Job::new("tenth-word", || words[9].len()),
    ])?;
    for (name, result) in &report.finished {
        println!("{name}: {result}");
    }
    for (name, message) in &report.failed {
        println!("{name} failed: {message}");
    }
    Ok(())
}
