//! Thread identity: which thread ran which job, how many distinct threads ran, and
//! whether they were the pool's.
//!
//! A [`ThreadLog`] is shared with the jobs; each job calls [`ThreadLog::record`] from
//! inside its work. The test then asks how many distinct threads did the work, whether any
//! ran on the caller's thread, and whether every one carried the pool's thread name: a
//! thread per job, a job run inline, or a pool that ignored the names it was given all
//! show, every run.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, PoisonError};
use std::thread::{self, ThreadId};

/// One job's record: where it ran.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ran {
    pub job: String,
    pub thread: ThreadId,
    /// The thread's name (`None` for an unnamed thread).
    pub name: Option<String>,
}

/// Which thread ran which job.
#[derive(Debug, Default)]
pub struct ThreadLog {
    entries: Mutex<Vec<Ran>>,
}

impl ThreadLog {
    /// An empty log.
    pub fn new() -> ThreadLog {
        ThreadLog::default()
    }

    /// Records that `job` runs on the calling thread.
    pub fn record(&self, job: impl ToString) {
        let current = thread::current();
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Ran {
                job: job.to_string(),
                thread: current.id(),
                name: current.name().map(str::to_owned),
            });
    }

    /// Every record, in the order they were made.
    pub fn entries(&self) -> Vec<Ran> {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// How many jobs were recorded.
    pub fn len(&self) -> usize {
        self.entries().len()
    }

    /// Whether no job was recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The distinct threads that ran jobs.
    pub fn threads(&self) -> BTreeSet<String> {
        // ThreadId is not Ord; its Debug form is unique and stable.
        self.entries()
            .iter()
            .map(|ran| format!("{:?}", ran.thread))
            .collect()
    }

    /// How many distinct threads ran jobs.
    pub fn distinct_threads(&self) -> usize {
        self.threads().len()
    }

    /// The jobs each thread ran, keyed by thread name (or `<unnamed ThreadId(N)>`).
    pub fn jobs_by_thread(&self) -> BTreeMap<String, Vec<String>> {
        let mut by_thread: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for ran in self.entries() {
            let key = ran
                .name
                .clone()
                .unwrap_or_else(|| format!("<unnamed {:?}>", ran.thread));
            by_thread.entry(key).or_default().push(ran.job);
        }
        by_thread
    }

    /// Whether any job ran on `thread` (e.g. the caller's, `thread::current().id()`).
    pub fn ran_on(&self, thread: ThreadId) -> bool {
        self.entries().iter().any(|ran| ran.thread == thread)
    }

    /// Panics with `mistake` unless every job ran on a thread whose name starts with
    /// `prefix` (the names the test gave the pool's threads).
    #[track_caller]
    pub fn assert_all_named(&self, prefix: &str, mistake: &str) {
        for ran in self.entries() {
            let ok = ran
                .name
                .as_deref()
                .is_some_and(|name| name.starts_with(prefix));
            assert!(
                ok,
                "job {} ran on thread {:?}, not on one of the `{prefix}…` threads: {mistake}",
                ran.job,
                ran.name.as_deref().unwrap_or("<unnamed>")
            );
        }
    }

    /// Panics with `mistake` unless the jobs ran on exactly `count` distinct threads.
    #[track_caller]
    pub fn assert_distinct_threads(&self, count: usize, mistake: &str) {
        let seen = self.distinct_threads();
        assert_eq!(
            seen,
            count,
            "the jobs ran on {seen} distinct threads, not {count} ({:?}): {mistake}",
            self.jobs_by_thread()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_threads_and_names() {
        let log = ThreadLog::new();
        thread::scope(|scope| {
            for i in 0..3 {
                let log = &log;
                thread::Builder::new()
                    .name(format!("pool-{}", i % 2))
                    .spawn_scoped(scope, move || log.record(i))
                    .unwrap();
            }
        });
        assert_eq!(log.len(), 3);
        assert_eq!(log.distinct_threads(), 3);
        log.assert_all_named("pool-", "unused");
        assert!(!log.ran_on(thread::current().id()));
        assert_eq!(log.jobs_by_thread().len(), 2);
    }

    #[test]
    #[should_panic(expected = "job 7 ran on thread")]
    fn a_job_on_the_wrong_thread_is_named() {
        let log = ThreadLog::new();
        log.record(7);
        log.assert_all_named("pool-", "run it on the pool");
    }

    #[test]
    #[should_panic(expected = "the jobs ran on 1 distinct threads, not 2")]
    fn too_few_threads_are_counted() {
        let log = ThreadLog::new();
        log.record("a");
        log.record("b");
        log.assert_distinct_threads(2, "a thread per job");
    }
}
