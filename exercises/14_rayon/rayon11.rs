//! # Capstone: thumbnails on a pool of your own
//!
//! Time to put the topic together: shrink a batch of images into thumbnails, a CPU-heavy
//! job per image, on a pool built for it.
//!
//! 1. `thumbnail_pool` builds the pool with `rayon::ThreadPoolBuilder`: a fixed number of
//!    threads, named `thumbs-0`, `thumbs-1`, ... (names show up in debuggers, profilers
//!    and panic messages). A dedicated pool keeps heavy batch work from hogging the
//!    global pool the rest of the program uses.
//! 2. `shrink` averages each `factor` × `factor` block of pixels into one, the blocks at
//!    the right and bottom edges being smaller when `factor` does not divide the size.
//!    Its rows are independent: fill them with `par_chunks_mut` (rayon1 to rayon7).
//! 3. `make_thumbnails` runs `make` for every image *on the given pool*, all at once:
//!    `pool.install(|| ...)` and a parallel iterator inside. The parallel iterators of
//!    `shrink` then run on that pool too: `install` makes it the current one.
//!
//! - rayon: <https://docs.rs/rayon/1/rayon/struct.ThreadPoolBuilder.html>,
//!   <https://docs.rs/rayon/1/rayon/struct.ThreadPool.html#method.install>
//! - rust_howto, generate thumbnails in parallel:
//!   <https://john-cd.com/rust_howto/categories/concurrency/data_parallelism.html>

use rayon::prelude::*;
use rayon::{ThreadPool, ThreadPoolBuildError, ThreadPoolBuilder};

/// A grey-scale image: `width × height` pixels, row after row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    pub name: String,
    pub width: usize,
    pub height: usize,
    pub pixels: Vec<u8>,
}

/// A pool of `threads` threads named `thumbs-0`, `thumbs-1`, ...
///
/// # Errors
/// If the operating system refuses to start the threads.
pub fn thumbnail_pool(threads: usize) -> Result<ThreadPool, ThreadPoolBuildError> {
    // TODO: `threads` threads, named `thumbs-0`, `thumbs-1`, ...
    let _ = threads;
    ThreadPoolBuilder::new().build()
}

/// `image` shrunk by `factor` in both directions: each pixel of the result is the average
/// of a `factor × factor` block (smaller at the right and bottom edges), rounded to the
/// nearest value (halves up). Same name.
///
/// # Panics
/// If `factor` is 0.
pub fn shrink(image: &Image, factor: usize) -> Image {
    assert!(factor > 0, "cannot shrink by a factor of 0");
    let width = image.width.div_ceil(factor);
    let height = image.height.div_ceil(factor);
    let pixels = vec![0; width * height];
    // TODO: fill the thumbnail's rows in parallel (`par_chunks_mut(width)`, `enumerate`):
    // each pixel is the rounded average of its block of the image (pixels
    // `row * factor..` down and `column * factor..` across, cut at the image's edges).
    Image {
        name: image.name.clone(),
        width,
        height,
        pixels,
    }
}

/// `make(image)` for every image, in parallel on `pool`; the results in the images'
/// order.
pub fn make_thumbnails<F>(pool: &ThreadPool, images: &[Image], make: F) -> Vec<Image>
where
    F: Fn(&Image) -> Image + Send + Sync,
{
    // TODO: shrink the images at the same time, on `pool`.
    let _ = pool;
    images.iter().map(make).collect()
}

/// Thumbnails of every image, shrunk by `factor`, made on `pool`.
pub fn thumbnails(pool: &ThreadPool, images: &[Image], factor: usize) -> Vec<Image> {
    make_thumbnails(pool, images, |image| shrink(image, factor))
}

fn main() {
    let pool = thumbnail_pool(4).expect("failed to build the pool");
    let images: Vec<Image> = (1..=6)
        .map(|n| Image {
            name: format!("photo{n}.raw"),
            width: 1200,
            height: 800,
            pixels: (0..1200 * 800).map(|i| ((i * n) % 256) as u8).collect(),
        })
        .collect();
    for thumbnail in thumbnails(&pool, &images, 8) {
        println!(
            "{}: {}×{}",
            thumbnail.name, thumbnail.width, thumbnail.height
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::thread;
    use threadlings_testkit::Meeting;

    /// A pool of `threads` workers named `<name>-0`, `<name>-1`, ...
    fn test_pool(threads: usize, name: &'static str) -> ThreadPool {
        ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(move |index| format!("{name}-{index}"))
            .build()
            .expect("failed to build the test pool")
    }

    /// Panics unless the current thread is one of the workers of the pool named `name`.
    fn assert_on_pool(name: &str) {
        let current = thread::current();
        let thread_name = current.name().unwrap_or("<unnamed>");
        assert!(
            thread_name.starts_with(&format!("{name}-")) && rayon::current_thread_index().is_some(),
            "an image was shrunk on thread {thread_name:?}, not on the pool it was given: \
             run the work inside `pool.install(...)`"
        );
    }

    fn image(name: &str, width: usize, height: usize, pixels: &[u8]) -> Image {
        assert_eq!(pixels.len(), width * height);
        Image {
            name: name.to_string(),
            width,
            height,
            pixels: pixels.to_vec(),
        }
    }

    /// A `width × height` test image whose pixels follow a pattern `seed` picks.
    fn pattern(seed: usize, width: usize, height: usize) -> Image {
        let pixels: Vec<u8> = (0..width * height)
            .map(|i| ((i * 7 + seed * 13 + i / width * 3) % 256) as u8)
            .collect();
        image(&format!("pattern{seed}"), width, height, &pixels)
    }

    #[test]
    fn the_pool_has_the_threads_and_names_asked_for() {
        let pool = thumbnail_pool(3).expect("three threads can be started");
        assert_eq!(pool.current_num_threads(), 3, "the number of threads");
        let mut names = pool.broadcast(|context| {
            let name = thread::current().name().map(str::to_string);
            (context.index(), name)
        });
        names.sort();
        assert_eq!(
            names,
            [
                (0, Some("thumbs-0".to_string())),
                (1, Some("thumbs-1".to_string())),
                (2, Some("thumbs-2".to_string())),
            ],
            "each thread is named `thumbs-<its index>`"
        );
    }

    #[test]
    fn shrinking_averages_each_block() {
        let pool = test_pool(2, "blocks");
        #[rustfmt::skip]
        let picture = image("square", 4, 4, &[
            0, 2, 10, 10,
            4, 6, 10, 11,
            100, 100, 255, 255,
            100, 101, 255, 255,
        ]);
        let thumbnail = pool.install(|| shrink(&picture, 2));
        // (0+2+4+6)/4 = 3, (10+10+10+11)/4 = 10.25, (100+100+100+101)/4 = 100.25, 255.
        assert_eq!(thumbnail, image("square", 2, 2, &[3, 10, 100, 255]));
        assert_eq!(pool.install(|| shrink(&picture, 1)), picture);
        // Rounded to the nearest, halves up: (1 + 2) / 2 = 1.5.
        assert_eq!(
            pool.install(|| shrink(&image("half", 2, 1, &[1, 2]), 2)),
            image("half", 1, 1, &[2])
        );
    }

    #[test]
    fn edge_blocks_average_only_the_pixels_they_have() {
        let pool = test_pool(2, "edges");
        #[rustfmt::skip]
        let picture = image("wide", 5, 3, &[
            10, 10, 20, 20, 90,
            10, 10, 20, 20, 91,
            50, 50, 60, 60, 200,
        ]);
        let thumbnail = pool.install(|| shrink(&picture, 2));
        // The right column holds blocks of 1 pixel across, the bottom row of 1 pixel down.
        assert_eq!(thumbnail, image("wide", 3, 2, &[10, 20, 91, 50, 60, 200]));
        let empty = image("empty", 0, 0, &[]);
        assert_eq!(pool.install(|| shrink(&empty, 3)), empty);
    }

    #[test]
    fn thumbnails_come_in_the_images_order() {
        let pool = thumbnail_pool(2).expect("two threads can be started");
        let images: Vec<Image> = (0..8).map(|seed| pattern(seed, 37, 23)).collect();
        let expected: Vec<Image> = images.iter().map(|picture| shrink(picture, 4)).collect();
        assert!(
            thumbnails(&pool, &images, 4) == expected,
            "the thumbnails differ from shrinking the images one by one, in order"
        );
    }

    #[test]
    fn images_are_shrunk_on_the_given_pool() {
        let pool = test_pool(3, "given");
        let images: Vec<Image> = (0..12).map(|seed| pattern(seed, 8, 8)).collect();
        let made = make_thumbnails(&pool, &images, |picture| {
            assert_on_pool("given");
            shrink(picture, 2)
        });
        assert_eq!(made.len(), 12);
    }

    #[test]
    fn images_are_shrunk_on_every_pool_thread_at_once() {
        // The first three images meet: each waits until three images are being shrunk at
        // the same time, one per thread of the given pool.
        let pool = test_pool(3, "together");
        let meeting = Meeting::new(
            3,
            "the images were shrunk one after another on one thread: use a parallel \
             iterator inside `pool.install`",
        );
        let images: Vec<Image> = (0..6).map(|seed| pattern(seed, 16, 16)).collect();
        let made = make_thumbnails(&pool, &images, |picture| {
            assert_on_pool("together");
            meeting.arrive();
            shrink(picture, 4)
        });
        let names: Vec<&str> = made
            .iter()
            .map(|thumbnail| thumbnail.name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "pattern0", "pattern1", "pattern2", "pattern3", "pattern4", "pattern5"
            ]
        );
    }
}
