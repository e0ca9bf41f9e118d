//! # Project: a parallel matrix product, with a progress reporter
//!
//! Each row of `a × b` depends only on one row of `a` and the whole of `b`, so the rows
//! can be computed at the same time, each straight into its own slice of the result:
//! `par_chunks_mut(cols)` hands out non-overlapping `&mut` rows, and `.enumerate()` tells
//! each one which row it is. Run it inside `pool.install(..)`: the caller chose the pool.
//!
//! Long jobs report progress. The rows finish on pool threads, in any order, while
//! `progress` is a `FnMut` (it may keep state, like a progress bar), which many threads
//! cannot call at once. So a *reporter* thread owns it: each row job sends its index into
//! a channel when it is done, and the reporter calls `progress(row)` for each one, as they
//! arrive. When the last row job has finished and the last `Sender` is gone, the
//! reporter's loop ends; `multiply` returns once it has.
//!
//! `multiply` computes the rows one after another on one thread, and reports nothing.
//!
//! - rayon: <https://docs.rs/rayon/latest/rayon/slice/trait.ParallelSliceMut.html#method.par_chunks_mut>
//! - rust_howto, data parallelism:
//!   <https://john-cd.com/rust_howto/categories/concurrency/data_parallelism.html>, and
//!   message passing: <https://john-cd.com/rust_howto/categories/concurrency/message_passing.html>

use rayon::ThreadPool;

/// A matrix of integers, stored row after row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matrix {
    pub rows: usize,
    pub cols: usize,
    pub data: Vec<i64>,
}

impl Matrix {
    /// The `rows × cols` matrix whose element at `(row, col)` is `element(row, col)`.
    pub fn from_fn(rows: usize, cols: usize, element: impl Fn(usize, usize) -> i64) -> Matrix {
        let data = (0..rows * cols)
            .map(|i| element(i / cols, i % cols))
            .collect();
        Matrix { rows, cols, data }
    }

    /// The element at `(row, col)`.
    pub fn at(&self, row: usize, col: usize) -> i64 {
        self.data[row * self.cols + col]
    }
}

/// Fills `out`, row `y` of `a × b`.
fn product_row(a: &Matrix, b: &Matrix, y: usize, out: &mut [i64]) {
    for (x, cell) in out.iter_mut().enumerate() {
        *cell = (0..a.cols).map(|k| a.at(y, k) * b.at(k, x)).sum();
    }
}

/// Computes `a × b` on `pool`, one row per job, calling `row_started(y)` as each row
/// starts; a reporter thread calls `progress(y)` as each row finishes.
///
/// # Panics
/// If `a.cols != b.rows`.
pub fn multiply<S, P>(
    pool: &ThreadPool,
    a: &Matrix,
    b: &Matrix,
    row_started: S,
    progress: P,
) -> Matrix
where
    S: Fn(usize) + Sync,
    P: FnMut(usize) + Send,
{
    assert_eq!(
        a.cols, b.rows,
        "a × b needs as many columns in a as rows in b"
    );
    let mut product = Matrix::from_fn(a.rows, b.cols, |_, _| 0);
    // TODO: compute the rows at the same time, on `pool`: inside `pool.install`, cut
    // `product.data` into rows with `par_chunks_mut` (`use rayon::prelude::*;`) and
    // `enumerate` them.
    for (y, out) in product.data.chunks_mut(b.cols.max(1)).enumerate() {
        row_started(y);
        product_row(a, b, y, out);
    }

    // TODO: report progress. A reporter thread owns `progress` and calls it with the
    // index of each finished row, received from a channel that the row jobs send into.
    // Return once the reporter has ended (`std::thread::scope` waits for it).
    let _ = (pool, progress);
    product
}

fn main() {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(3)
        .build()
        .expect("could not build the pool");
    let a = Matrix::from_fn(4, 3, |r, c| (r * 3 + c) as i64);
    let b = Matrix::from_fn(3, 2, |r, c| if r == c { 1 } else { 2 });
    let mut done = 0;
    let product = multiply(
        &pool,
        &a,
        &b,
        |_| {},
        |row| {
            done += 1;
            println!("row {row} done ({done}/{})", a.rows);
        },
    );
    for y in 0..product.rows {
        let row: Vec<_> = (0..product.cols).map(|x| product.at(y, x)).collect();
        println!("{row:?}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::ThreadPoolBuilder;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    use threadlings_testkit::{Gate, Rendezvous, Running, ThreadLog};

    const POOL_THREADS: usize = 3;

    fn test_pool() -> ThreadPool {
        ThreadPoolBuilder::new()
            .num_threads(POOL_THREADS)
            .thread_name(|i| format!("matrix-{i}"))
            .build()
            .expect("could not build the test pool")
    }

    fn naive(a: &Matrix, b: &Matrix) -> Matrix {
        Matrix::from_fn(a.rows, b.cols, |r, c| {
            (0..a.cols).map(|k| a.at(r, k) * b.at(k, c)).sum()
        })
    }

    fn a() -> Matrix {
        Matrix::from_fn(7, 5, |r, c| (r as i64 - 3) * 10 + c as i64)
    }

    fn b() -> Matrix {
        Matrix::from_fn(5, 4, |r, c| (r * 4 + c) as i64 % 6 - 2)
    }

    #[test]
    fn the_product_is_exact() {
        let pool = test_pool();
        let product = multiply(&pool, &a(), &b(), |_| {}, |_| {});
        assert_eq!(product, naive(&a(), &b()), "a (7×5) × b (5×4)");
        let identity = Matrix::from_fn(5, 5, |r, c| i64::from(r == c));
        assert_eq!(
            multiply(&pool, &a(), &identity, |_| {}, |_| {}),
            a(),
            "a × I"
        );
        let empty = Matrix::from_fn(0, 5, |_, _| 0);
        assert_eq!(multiply(&pool, &empty, &b(), |_| {}, |_| {}).data, vec![]);
    }

    #[test]
    fn rows_are_multiplied_on_the_given_pool_at_the_same_time() {
        // The first three rows to start must meet: each pool thread holds one of them.
        let meeting = Rendezvous::new(
            POOL_THREADS,
            "the rows were computed one after another: cut the product into rows with \
             `par_chunks_mut` inside `pool.install`",
        );
        let started = AtomicUsize::new(0);
        let log = ThreadLog::new();
        let product = multiply(
            &test_pool(),
            &a(),
            &b(),
            |y| {
                log.record(y);
                if started.fetch_add(1, Ordering::SeqCst) < POOL_THREADS {
                    meeting.arrive();
                }
            },
            |_| {},
        );
        assert_eq!(product, naive(&a(), &b()));
        log.assert_all_named(
            "matrix-",
            "compute the rows inside `pool.install(..)`, or rayon uses its global pool",
        );
        assert_eq!(log.len(), 7, "`row_started` is called once per row");
    }

    #[test]
    fn progress_is_reported_while_rows_are_computed() {
        // The last row is held at the gate: the six others are done meanwhile, and each
        // must have been reported already, not only once the whole product is done.
        let gate = Arc::new(Gate::new("the last row"));
        let _release = gate.open_on_drop();
        let reported = Arc::new(Mutex::new(Vec::new()));
        let (held, report) = (Arc::clone(&gate), Arc::clone(&reported));
        let running = Running::spawn("`multiply`", move || {
            multiply(
                &test_pool(),
                &a(),
                &b(),
                |y| {
                    if y == 6 {
                        held.wait();
                    }
                },
                move |y| report.lock().unwrap().push(y),
            )
        });
        // Looked at once settled, and again (three looks at most) while short: on a loaded
        // machine a reporter just woken may not have run yet.
        let mut before = Vec::new();
        for _ in 0..3 {
            running.until_blocked(
                "its last row was held",
                "the reporter waits blocked for the next finished row",
            );
            before = reported.lock().unwrap().clone();
            if before.len() >= 6 {
                break;
            }
        }
        gate.open();
        running.until_finished(
            "every row is done, but `multiply` is still waiting: the reporter's loop ends \
             only when every Sender is gone. Is one still alive?",
        );
        assert_eq!(running.join(), naive(&a(), &b()));
        before.sort_unstable();
        assert_eq!(
            before,
            vec![0, 1, 2, 3, 4, 5],
            "while the last row was being computed, only these rows had been reported: \
             send each row's index as soon as it is done"
        );
        let mut all = reported.lock().unwrap().clone();
        all.sort_unstable();
        assert_eq!(all, (0..7).collect::<Vec<_>>(), "each row reported once");
    }

    #[test]
    fn the_reporter_has_ended_when_multiply_returns() {
        // `progress` owns a flag that is raised when it is dropped: with the reporter
        // thread that owned it, once it has reported every row.
        struct DropFlag(Arc<AtomicBool>);
        impl Drop for DropFlag {
            fn drop(&mut self) {
                self.0.store(true, Ordering::SeqCst);
            }
        }
        let dropped = Arc::new(AtomicBool::new(false));
        let flag = DropFlag(Arc::clone(&dropped));
        let reports = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&reports);
        let running = Running::spawn("`multiply`", move || {
            multiply(
                &test_pool(),
                &a(),
                &b(),
                |_| {},
                move |_| {
                    let _owned_by_progress = &flag;
                    count.fetch_add(1, Ordering::SeqCst);
                },
            )
        });
        running.until_finished(
            "the reporter's loop ends only when every Sender is gone: is one still alive?",
        );
        running.join();
        assert_eq!(reports.load(Ordering::SeqCst), 7, "one report per row");
        assert!(
            dropped.load(Ordering::SeqCst),
            "`multiply` returned while `progress` was still alive: wait for the reporter \
             to end (a scoped thread, or join it)"
        );
    }
}
