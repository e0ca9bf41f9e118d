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
    pool.scope(|s| {
        for (y, row) in image.chunks_mut(width).enumerate() {
            s.spawn(move |_| render_row(y, row));
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::ThreadPoolBuilder;
    use std::sync::{Arc, Mutex};
    use std::thread;
    use threadlings_testkit::{Gate, Running};

    /// A pool of `threads` workers named `<name>-0`, `<name>-1`, ...
    fn test_pool(threads: usize, name: &'static str) -> ThreadPool {
        ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(move |index| format!("{name}-{index}"))
            .build()
            .expect("failed to build the test pool")
    }

    #[test]
    fn the_image_matches_a_sequential_rendering() {
        let (width, height) = (96, 64);
        let mut expected = Vec::with_capacity(width * height);
        for y in 0..height {
            for x in 0..width {
                expected.push(julia_pixel(x, y, width, height));
            }
        }
        let pool = test_pool(3, "julia");
        let image = render_julia(&pool, width, height);
        assert!(
            image == expected,
            "the rendered pixels differ from a sequential rendering"
        );
        assert!(
            image.contains(&MAX_ITERATIONS),
            "the set itself is in the picture"
        );
    }

    #[test]
    fn each_row_gets_its_own_row_of_pixels() {
        let pool = test_pool(2, "rows");
        let image = render_rows(&pool, 3, 4, |y, row| row.fill(y as u8 + 1));
        assert_eq!(image, [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]);
    }

    #[test]
    fn every_row_is_rendered_once_on_a_pool_worker() {
        let pool = test_pool(2, "workers");
        let rendered = Mutex::new(Vec::new());
        render_rows(&pool, 8, 10, |y, _| {
            let worker = thread::current().name().unwrap_or("<unnamed>").to_string();
            rendered.lock().unwrap().push((y, worker));
        });
        let mut rendered = rendered.into_inner().unwrap();
        rendered.sort();
        let rows: Vec<usize> = rendered.iter().map(|(y, _)| *y).collect();
        assert_eq!(rows, (0..10).collect::<Vec<_>>(), "every row, once");
        for (y, worker) in rendered {
            assert!(
                worker.starts_with("workers-"),
                "row {y} was rendered on thread {worker:?}, not on the pool: spawn a job per row on `pool.scope`"
            );
        }
    }

    #[test]
    fn rows_are_rendered_at_the_same_time() {
        // Every row's job waits at the gate until the test opens it: once `render_rows`
        // is blocked, all three must be waiting there together.
        let gate = Arc::new(Gate::new("the rows"));
        let _release = gate.open_on_drop();
        let held = Arc::clone(&gate);
        // The pool is built on the watched thread, so its workers are watched too.
        let running = Running::spawn("`render_rows`", move || {
            render_rows(&test_pool(3, "together"), 2, 3, |y, row| {
                held.wait();
                row.fill(y as u8);
            })
        });
        running.until_blocked("its rows were held at the gate", "wait for the jobs");
        assert_eq!(
            gate.waiting(),
            3,
            "only {} of 3 rows were rendered at the same time: spawn one job per row on the \
             pool's scope",
            gate.waiting()
        );
        gate.open();
        assert_eq!(running.join(), [0, 0, 1, 1, 2, 2]);
    }
}
