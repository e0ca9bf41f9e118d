// WRONG: multiplies a's row by b's row instead of b's column (b.at(x, k)): wrong numbers, no panic
use crossbeam::channel::unbounded;
use rayon::ThreadPool;
use rayon::prelude::*;
use std::thread;

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
        *cell = (0..a.cols).map(|k| a.at(y, k) * b.at(x, k)).sum();
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
    let (done_tx, done_rx) = unbounded::<usize>();
    thread::scope(|scope| {
        // The reporter owns `progress`; its loop ends when every Sender is gone.
        scope.spawn(move || {
            let mut progress = progress;
            for row in done_rx {
                progress(row);
            }
        });
        pool.install(|| {
            product
                .data
                // `max(1)`: a product with no columns has no rows to cut either.
                .par_chunks_mut(b.cols.max(1))
                .enumerate()
                // Each job sends with its own clone of the Sender; rayon drops them all
                // when the iteration ends.
                .for_each_with(done_tx, |done, (y, out)| {
                    row_started(y);
                    product_row(a, b, y, out);
                    let _ = done.send(y);
                });
        });
        // `done_tx` was moved into `for_each_with`, so the last Sender is already gone
        // here: the scope waits for the reporter to report the last row and end.
    });
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
