// WRONG: two std scoped threads over chunks_mut: in parallel, but off the caller's pool

/// Applies `adjust` to every item, in place, in parallel on the current pool.
pub fn adjust_all<T, F>(items: &mut [T], adjust: F)
where
    T: Send,
    F: Fn(&mut T) + Send + Sync,
{
    let half = items.len().div_ceil(2).max(1);
    let adjust = &adjust;
    std::thread::scope(|scope| {
        for chunk in items.chunks_mut(half) {
            scope.spawn(move || chunk.iter_mut().for_each(adjust));
        }
    });
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
