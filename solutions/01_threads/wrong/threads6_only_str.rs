// WRONG: reads only `&str` payloads: a formatted `panic!` message (a `String`) is lost
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
            running.push((job.name, handle));
        }
        let mut report = Report {
            finished: Vec::new(),
            failed: Vec::new(),
        };
        for (name, handle) in running {
            match handle.join() {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::any::Any;
    use std::panic::{self, AssertUnwindSafe};
    use std::sync::Arc;
    use threadlings_testkit::{Gate, Running};

    /// Runs the jobs, and fails clearly if a job's panic escaped from `run_jobs`.
    fn run<R: Send>(jobs: Vec<Job<'_, R>>) -> Report<R> {
        panic::catch_unwind(AssertUnwindSafe(|| run_jobs(jobs)))
            .unwrap_or_else(|_| {
                panic!(
                    "run_jobs itself panicked (the message is above): a job's panic must only \
                     end that job's thread, and its `join()` hands it to you as an `Err`"
                )
            })
            .expect("the jobs' threads can be started")
    }

    /// The payload of a real panic, as `join()` would hand it over.
    fn payload_of(panicking: impl FnOnce() + Send) -> Box<dyn Any + Send> {
        thread::scope(|scope| scope.spawn(panicking).join()).expect_err("the closure panics")
    }

    #[test]
    fn panic_messages_are_read_from_str_and_string_payloads() {
        assert_eq!(
            panic_message(&*payload_of(|| panic!("disk full"))),
            "disk full"
        );
        let quota = 3;
        assert_eq!(
            panic_message(&*payload_of(|| panic!("over quota by {quota} GB"))),
            "over quota by 3 GB"
        );
        assert_eq!(
            panic_message(&*payload_of(|| panic::panic_any(42))),
            "<non-string panic payload>"
        );
    }

    #[test]
    fn reports_each_failure_with_its_message() {
        let retries = 3;
        let report = run(vec![
            Job::new("parse", || 1),
            Job::new("resize", || panic!("image too large")),
            Job::new("upload", || panic!("network down after {retries} retries")),
            Job::new("index", || 4),
            Job::new("notify", || panic::panic_any(404)),
        ]);
        assert_eq!(
            report.failed,
            [
                ("resize".to_string(), "image too large".to_string()),
                (
                    "upload".to_string(),
                    "network down after 3 retries".to_string()
                ),
                (
                    "notify".to_string(),
                    "<non-string panic payload>".to_string()
                ),
            ]
        );
        assert_eq!(
            report.finished,
            [("parse".to_string(), 1), ("index".to_string(), 4)]
        );
    }

    /// Runs the jobs on a watched thread, holding every job that calls `hold()` at a
    /// gate; once `run_jobs` is blocked, checks that `expected_held` jobs are waiting there
    /// together, then lets them finish.
    fn run_held<R: Send + 'static>(
        expected_held: usize,
        mistake: &str,
        jobs: impl FnOnce(Arc<Gate>) -> Vec<Job<'static, R>>,
    ) -> Report<R> {
        let gate = Arc::new(Gate::new("the jobs"));
        let _release = gate.open_on_drop();
        let jobs = jobs(Arc::clone(&gate));
        let running = Running::spawn("`run_jobs`", move || run_jobs(jobs));
        running.until_blocked("its jobs were held at the gate", "join the jobs' threads");
        assert_eq!(
            gate.waiting(),
            expected_held,
            "only {} of {expected_held} jobs were running at the same time: {mistake}",
            gate.waiting()
        );
        gate.open();
        running.join().expect("the jobs' threads can be started")
    }

    #[test]
    fn healthy_jobs_finish_while_others_fail() {
        // The three healthy jobs are held together while the failing one panics: one panic
        // must not stop or block the others.
        let report = run_held(
            3,
            "start every job on its own thread before joining any",
            |gate| {
                let (a, b, c) = (Arc::clone(&gate), Arc::clone(&gate), gate);
                vec![
                    Job::new("first", move || {
                        a.wait();
                        "one"
                    }),
                    Job::new("crash", || panic!("crashed at once")),
                    Job::new("second", move || {
                        b.wait();
                        "two"
                    }),
                    Job::new("third", move || {
                        c.wait();
                        "three"
                    }),
                ]
            },
        );
        assert_eq!(
            report.failed,
            [("crash".to_string(), "crashed at once".to_string())]
        );
        assert_eq!(
            report.finished,
            [
                ("first".to_string(), "one"),
                ("second".to_string(), "two"),
                ("third".to_string(), "three"),
            ]
        );
    }

    #[test]
    fn all_jobs_run_at_the_same_time() {
        let report = run_held(
            4,
            "the jobs ran one after another: start them all, each on its own thread, \
             before joining the first",
            |gate| {
                (0..4)
                    .map(|i| {
                        let gate = Arc::clone(&gate);
                        Job::new(&format!("job-{i}"), move || {
                            gate.wait();
                            if i % 2 == 1 {
                                panic!("job {i} fails after the gate");
                            }
                            i
                        })
                    })
                    .collect()
            },
        );
        assert_eq!(
            report.failed,
            [
                (
                    "job-1".to_string(),
                    "job 1 fails after the gate".to_string()
                ),
                (
                    "job-3".to_string(),
                    "job 3 fails after the gate".to_string()
                ),
            ]
        );
        assert_eq!(
            report.finished,
            [("job-0".to_string(), 0), ("job-2".to_string(), 2)]
        );
    }

    #[test]
    fn each_job_runs_on_a_thread_named_after_it() {
        let report = run(["fetch", "decode", "store"]
            .map(|name| Job::new(name, || thread::current().name().map(String::from)))
            .into());
        assert!(report.failed.is_empty());
        for (name, thread_name) in report.finished {
            assert_eq!(
                thread_name.as_deref(),
                Some(name.as_str()),
                "job {name:?} must run on a thread named {name:?}"
            );
        }
    }

    #[test]
    fn jobs_may_borrow_local_data() {
        // `numbers` is a local: only scoped threads may borrow it.
        let numbers: Vec<u64> = (1..=100).collect();
        let (low, high) = numbers.split_at(50);
        let report = run(vec![
            Job::new("low", || low.iter().sum::<u64>()),
            Job::new("high", || high.iter().sum()),
            Job::new("above-50", || {
                *low.iter()
                    .find(|&&n| n > 50)
                    .expect("no number above 50 in the low half")
            }),
        ]);
        assert_eq!(
            report.finished,
            [("low".to_string(), 1275), ("high".to_string(), 3775)]
        );
        assert_eq!(
            report.failed,
            [(
                "above-50".to_string(),
                "no number above 50 in the low half".to_string()
            )]
        );
    }

    #[test]
    fn no_jobs_no_report() {
        let report = run(Vec::<Job<'_, ()>>::new());
        assert_eq!(
            report,
            Report {
                finished: Vec::new(),
                failed: Vec::new()
            }
        );
    }
}
