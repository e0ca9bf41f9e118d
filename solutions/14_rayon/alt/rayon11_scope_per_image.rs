// ALT: a pool.scope task per image, each writing its thumbnail into its own slot
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
    ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|index| format!("thumbs-{index}"))
        .build()
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
    let mut pixels = vec![0; width * height];
    // One row of the thumbnail per piece of work; `max(1)` only matters for an empty image.
    pixels
        .par_chunks_mut(width.max(1))
        .enumerate()
        .for_each(|(row, out)| {
            let (top, bottom) = (row * factor, ((row + 1) * factor).min(image.height));
            for (column, pixel) in out.iter_mut().enumerate() {
                let (left, right) = (column * factor, ((column + 1) * factor).min(image.width));
                let sum: u64 = (top..bottom)
                    .flat_map(|y| &image.pixels[y * image.width + left..y * image.width + right])
                    .map(|&value| u64::from(value))
                    .sum();
                let count = ((bottom - top) * (right - left)) as u64;
                *pixel = ((sum + count / 2) / count) as u8;
            }
        });
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
    // `install` runs the closure on one of the pool's threads: the parallel iterator (and
    // the ones inside `make`) run on `pool`, not on the global pool.
    let mut slots: Vec<Option<Image>> = vec![None; images.len()];
    let make = &make;
    pool.scope(|s| {
        for (slot, image) in slots.iter_mut().zip(images) {
            s.spawn(move |_| *slot = Some(make(image)));
        }
    });
    slots
        .into_iter()
        .map(|slot| slot.expect("every task has finished when `scope` returns"))
        .collect()
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
