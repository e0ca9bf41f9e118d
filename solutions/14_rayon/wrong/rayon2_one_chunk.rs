// WRONG: par_chunks_mut with one chunk as long as the slice: one piece of work, so one thread
use rayon::prelude::*;

/// Applies `adjust` to every item, in place, in parallel on the current pool.
pub fn adjust_all<T, F>(items: &mut [T], adjust: F)
where
    T: Send,
    F: Fn(&mut T) + Send + Sync,
{
    let chunk = items.len().max(1);
    items
        .par_chunks_mut(chunk)
        .for_each(|chunk| chunk.iter_mut().for_each(&adjust));
}

/// Brightens every pixel of a grey-scale image by `amount`, stopping at white (255).
pub fn brighten(pixels: &mut [u8], amount: u8) {
    adjust_all(pixels, |pixel| *pixel = pixel.saturating_add(amount));
}

fn main() {
    let mut gradient: Vec<u8> = (0..16).map(|x| x * 16).collect();
    println!("before:   {gradient:?}");
    brighten(&mut gradient, 60);
    println!("brighter: {gradient:?}");
}
