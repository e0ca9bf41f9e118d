// WRONG: runs the dispatcher's loop inside `pool.scope`: it occupies a pool thread that tasks need
//! # Capstone: a streaming pipeline on a thread pool
//!
//! Time to combine it all: a three-stage pipeline that streams items from a source,
//! through a CPU-heavy step on a rayon pool, to a sink.
//!
//! 1. A *reader* thread pulls items from `source` and sends them into a `bounded` channel,
//!    so it never runs far ahead of the rest.
//! 2. A *dispatcher* thread takes each item from that channel and spawns a task on the
//!    pool: `pool.in_place_scope(|tasks| for item in items { tasks.spawn(...) })` runs its
//!    loop on the dispatcher's own thread and the tasks on the pool, and returns only once
//!    every task has finished. Never block a pool thread waiting on a channel: that thread
//!    is lost to the pool for as long as it waits.
//! 3. Each task sends its result into a results channel; the *sink*, on the caller's
//!    thread, hands results to `sink` as they arrive.
//!
//! All stages run at the same time, and shutdown flows by disconnection: the source runs
//! dry, the reader drops its Sender, the dispatcher's loop ends, it waits for its tasks and
//! drops the last result Sender, and the sink's loop ends. `std::thread::scope` lets the
//! stages borrow `process` and the pool.
//!
//! `run_pipeline` does the work one stage after another, on a single pool thread. Make it
//! a real pipeline.
//!
//! - rayon: <https://docs.rs/rayon/latest/rayon/struct.ThreadPool.html#method.in_place_scope>
//! - crossbeam-channel: <https://docs.rs/crossbeam-channel/latest/crossbeam_channel/>
//! - rust_howto, thread pools and message passing:
//!   <https://john-cd.com/rust_howto/categories/concurrency/message_passing.html>

use crossbeam::channel::{bounded, unbounded};
use rayon::{ThreadPool, ThreadPoolBuilder};
use std::thread;

/// How many items may wait between the reader and the dispatcher.
const CAPACITY: usize = 4;

/// Streams every item of `source` through `process`, run on `pool`, and hands each result
/// to `sink` as soon as it is ready (in no particular order). Returns how many results
/// reached the sink, once every stage has finished.
pub fn run_pipeline<T, R, I, P, S>(pool: &ThreadPool, source: I, process: P, mut sink: S) -> usize
where
    I: IntoIterator<Item = T>,
    I::IntoIter: Send,
    T: Send,
    R: Send,
    P: Fn(T) -> R + Sync,
    S: FnMut(R),
{
    let (item_tx, item_rx) = bounded(CAPACITY);
    let (result_tx, result_rx) = unbounded();
    let source = source.into_iter();
    let process = &process;
    thread::scope(|stages| {
        // Stage 1, the reader. Dropping `item_tx` at the end closes the item channel.
        stages.spawn(move || {
            for item in source {
                if item_tx.send(item).is_err() {
                    break;
                }
            }
        });
        // Stage 2, the dispatcher: its loop runs here, on its own thread; only the tasks
        // run on the pool. `in_place_scope` returns once every task has finished, and the
        // last result Sender is dropped with this closure.
        stages.spawn(move || {
            pool.scope(|tasks| {
                for item in item_rx {
                    let result_tx = result_tx.clone();
                    tasks.spawn(move |_| {
                        // Unbounded results: a task never blocks a pool thread on a send.
                        let _ = result_tx.send(process(item));
                    });
                }
            });
        });
        // Stage 3, the sink, on the caller's thread: ends when every result Sender is gone.
        let mut delivered = 0;
        for result in result_rx {
            sink(result);
            delivered += 1;
        }
        delivered
    })
}

fn main() {
    let pool = ThreadPoolBuilder::new()
        .num_threads(3)
        .thread_name(|i| format!("counter-{i}"))
        .build()
        .expect("could not build the pool");
    let lines = (1..=8).map(|n| "the quick brown fox jumps over the lazy dog ".repeat(n));
    let mut total_words = 0;
    let delivered = run_pipeline(
        &pool,
        lines,
        |line| {
            let name = thread::current().name().unwrap_or("?").to_string();
            (line.split_whitespace().count(), name)
        },
        |(words, worker)| {
            println!("{worker} counted {words} words");
            total_words += words;
        },
    );
    println!("{delivered} lines, {total_words} words");
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::mpsc::{self, RecvTimeoutError};
    use std::sync::{Arc, Mutex};
    use std::time::Duration;
    use threadlings_testkit::{Gate, Rendezvous, Running};

    const POOL_THREADS: usize = 3;

    fn pool() -> Arc<ThreadPool> {
        Arc::new(
            ThreadPoolBuilder::new()
                .num_threads(POOL_THREADS)
                .thread_name(|i| format!("capstone-{i}"))
                .build()
                .unwrap(),
        )
    }

    /// Runs the pipeline on its own thread and collects what reached the sink, calling
    /// `on_result` on each; a pipeline that never ends becomes a clear failure.
    fn run<T, R>(
        pool: &Arc<ThreadPool>,
        source: impl IntoIterator<Item = T, IntoIter: Send> + Send + 'static,
        process: impl Fn(T) -> R + Send + Sync + 'static,
        mut on_result: impl FnMut(&R) + Send + 'static,
    ) -> (usize, Vec<R>)
    where
        T: Send + 'static,
        R: Send + 'static,
    {
        let pool = Arc::clone(pool);
        let (done_tx, done_rx) = mpsc::channel();
        thread::spawn(move || {
            let mut results = Vec::new();
            let delivered = run_pipeline(&pool, source, process, |result| {
                on_result(&result);
                results.push(result);
            });
            let _ = done_tx.send((delivered, results));
        });
        match done_rx.recv_timeout(Duration::from_secs(6)) {
            Ok(done) => done,
            Err(RecvTimeoutError::Timeout) => panic!(
                "the pipeline never finished: some stage is still waiting. Is a Sender still \
                 alive after its stage is done?"
            ),
            Err(RecvTimeoutError::Disconnected) => {
                panic!("run_pipeline panicked (see the message above)")
            }
        }
    }

    #[test]
    fn every_item_reaches_the_sink_once() {
        let (delivered, mut results) = run(&pool(), 0..100u64, |n| n * n, |_| {});
        results.sort_unstable();
        assert_eq!(delivered, 100, "run_pipeline's count");
        assert!(
            results.iter().copied().eq((0..100u64).map(|n| n * n)),
            "the sink must receive every result exactly once"
        );
    }

    #[test]
    fn items_are_processed_on_the_given_pool() {
        let (_, results) = run(
            &pool(),
            0..20u64,
            |_| {
                let name = thread::current().name().map(str::to_string);
                (rayon::current_thread_index(), name)
            },
            |_| {},
        );
        for (index, name) in results {
            assert!(
                index.is_some() && name.as_deref().is_some_and(|n| n.starts_with("capstone-")),
                "an item was processed on thread {name:?}, not on the given pool: spawn the \
                 processing as tasks on `pool`"
            );
        }
    }

    #[test]
    fn the_pool_threads_process_at_the_same_time() {
        // The first three items each wait in a task at the gate, on three different pool
        // threads, and the source waits there before it hands out a fourth: every pool
        // thread must be free for tasks while the dispatcher is still waiting for items.
        let gate = Arc::new(Gate::new("the first three tasks and the source"));
        let _release = gate.open_on_drop();
        let (at_task, at_source) = (Arc::clone(&gate), Arc::clone(&gate));
        // The pool is built on the watched thread, so its threads are watched too.
        let running = Running::spawn("`run_pipeline`", move || {
            let source = (0..30u64).inspect(move |&n| {
                if n == POOL_THREADS as u64 {
                    at_source.wait();
                }
            });
            let mut delivered = 0;
            run_pipeline(
                &pool(),
                source,
                move |n| {
                    if n < POOL_THREADS as u64 {
                        at_task.wait();
                    }
                    n
                },
                |_| delivered += 1,
            )
        });
        running.until_blocked(
            "its tasks and its source were held at the gate",
            "each stage waits blocked in `recv`/`send`",
        );
        let waiting = gate.waiting();
        gate.open();
        assert_eq!(
            waiting,
            POOL_THREADS + 1,
            "only {} of {POOL_THREADS} items were processed in parallel: spawn one pool \
             task per item, and keep the dispatcher's loop off the pool (in_place_scope), so \
             that every pool thread is free for tasks",
            waiting.saturating_sub(1)
        );
        assert_eq!(running.join(), 30);
    }

    #[test]
    fn the_stages_overlap() {
        // The source is held in the middle (at item 10): while it waits, results of the
        // items before it must already reach the sink, or the stages ran one after
        // another, not as a pipeline.
        let gate = Arc::new(Gate::new("the source at item 10"));
        let _release = gate.open_on_drop();
        let held = Arc::clone(&gate);
        let received = Arc::new(AtomicUsize::new(0));
        let at_sink = Arc::clone(&received);
        let running = Running::spawn("`run_pipeline`", move || {
            let source = (0..20u64).inspect(move |&n| {
                if n == 10 {
                    held.wait();
                }
            });
            run_pipeline(
                &pool(),
                source,
                |n| n + 1,
                |_| {
                    at_sink.fetch_add(1, Ordering::SeqCst);
                },
            )
        });
        running.until_blocked(
            "its source was held at item 10",
            "each stage waits blocked in `recv`/`send`",
        );
        let before = received.load(Ordering::SeqCst);
        gate.open();
        assert!(
            before > 0,
            "the sink received nothing while the source was still being read: the stages \
             ran one after another, not as a pipeline"
        );
        assert_eq!(running.join(), 20);
    }

    #[test]
    fn the_pipeline_shuts_down_cleanly() {
        let pool = pool();
        assert_eq!(
            run(&pool, Vec::<u64>::new(), |n| n, |_| {}).0,
            0,
            "an empty source"
        );

        // A guard in the source tells when the reader let go of it.
        struct DropFlag(Arc<AtomicBool>);
        impl Drop for DropFlag {
            fn drop(&mut self) {
                self.0.store(true, Ordering::SeqCst);
            }
        }
        let source_dropped = Arc::new(AtomicBool::new(false));
        let flag = DropFlag(Arc::clone(&source_dropped));
        // The closure owns the flag, so the flag drops with the iterator.
        let source = (0..50u64).inspect(move |_| {
            let _owned_by_the_source = &flag;
        });
        let seen = Arc::new(Mutex::new(0));
        let counter = Arc::clone(&seen);
        let (delivered, _) = run(&pool, source, |n| n, move |_| *counter.lock().unwrap() += 1);
        assert_eq!(delivered, 50);
        assert_eq!(*seen.lock().unwrap(), 50);
        assert!(
            source_dropped.load(Ordering::SeqCst),
            "the reader still holds the source"
        );

        // Every pool thread is free again: no task or stage is stuck on the pool.
        let meeting = Arc::new(Rendezvous::new(
            POOL_THREADS + 1,
            "a pool thread is still busy after run_pipeline returned: a stage or a task \
             was left waiting on the pool",
        ));
        let at_meeting = Arc::clone(&meeting);
        pool.spawn_broadcast(move |_| at_meeting.arrive());
        meeting.arrive();
    }
}
