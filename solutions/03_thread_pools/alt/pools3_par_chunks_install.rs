// ALT: `par_chunks_mut` inside `pool.install`, one row per task
//! # Rendering a fractal row by row on a pool
//!
//! Rendering an image is embarrassingly parallel: every row can be computed on its own.
//! Make each row a job on the pool, and let each job write straight into its own row of
//! the image buffer. `chunks_mut(width)` cuts the buffer into non-overlapping `&mut`
//! rows, as in scoped1.
//!
//! The jobs borrow the buffer, so `pool.spawn` will not do: like `thread::spawn` it wants
//! `'static` jobs, and it returns before they have run. `pool.scope(|s| ...)` is the
//! pool's version of `thread::scope`: jobs spawned with `s.spawn(|_| ...)` may borrow
//! locals, and `scope` returns only once every one of them has finished.
//!
//! - rayon: <https://docs.rs/rayon/1/rayon/struct.ThreadPool.html#method.scope>,
//!   <https://docs.rs/rayon/1/rayon/struct.Scope.html#method.spawn>
//! - rust_howto, a fractal on a pool:
//!   <https://john-cd.com/rust_howto/categories/concurrency/threadpool.html#draw-fractal-threadpool>
//! - The Julia set: <https://en.wikipedia.org/wiki/Julia_set>

use rayon::ThreadPool;

/// How many iterations a point may take before we call it part of the set.
pub const MAX_ITERATIONS: u8 = 255;

/// The Julia-set value of pixel `(x, y)` in a `width` × `height` image: how many
/// iterations of `z = z² + c` (with `c = -0.8 + 0.156i`) it takes `z` to escape the
/// circle of radius 2, up to `MAX_ITERATIONS`.
pub fn julia_pixel(x: usize, y: usize, width: usize, height: usize) -> u8 {
    let (c_re, c_im) = (-0.8, 0.156);
    // Map the pixel's centre onto the rectangle [-1.6, 1.6] × [-1.0, 1.0].
    let mut re = 3.2 * (x as f64 + 0.5) / width as f64 - 1.6;
    let mut im = 2.0 * (y as f64 + 0.5) / height as f64 - 1.0;
    let mut iterations = 0;
    while iterations < MAX_ITERATIONS && re * re + im * im <= 4.0 {
        (re, im) = (re * re - im * im + c_re, 2.0 * re * im + c_im);
        iterations += 1;
    }
    iterations
}

/// Renders a `width` × `height` image, one job per row on `pool`: `render_row(y, row)`
/// fills row `y` (a slice of `width` pixels). Returns the pixels, row after row, once
/// every row is done.
///
/// # Panics
/// If `width` is 0.
pub fn render_rows<F>(pool: &ThreadPool, width: usize, height: usize, render_row: F) -> Vec<u8>
where
    F: Fn(usize, &mut [u8]) + Sync,
{
    let mut image = vec![0; width * height];
    let render_row = &render_row;
    // Like `thread::scope`: the jobs may borrow `image` (a row each) and `render_row`, and
    // `scope` only returns once all of them have finished.
    use rayon::prelude::*;
    pool.install(|| {
        image
            .par_chunks_mut(width)
            .with_max_len(1)
            .enumerate()
            .for_each(|(y, row)| render_row(y, row));
    });
    image
}

/// The Julia set, rendered on `pool`.
pub fn render_julia(pool: &ThreadPool, width: usize, height: usize) -> Vec<u8> {
    render_rows(pool, width, height, |y, row| {
        for (x, pixel) in row.iter_mut().enumerate() {
            *pixel = julia_pixel(x, y, width, height);
        }
    })
}

fn main() {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .expect("failed to build the pool");
    let (width, height) = (72, 24);
    let image = render_julia(&pool, width, height);
    // Darker characters for points that took longer to escape.
    let shade = |iterations: u8| match iterations {
        0..=2 => ' ',
        3..=5 => '.',
        6..=9 => ':',
        10..=19 => '-',
        20..=39 => '=',
        40..=79 => '+',
        80..=159 => '*',
        160..=254 => '#',
        255 => '@',
    };
    for row in image.chunks(width) {
        println!(
            "{}",
            row.iter()
                .map(|&iterations| shade(iterations))
                .collect::<String>()
        );
    }
}
