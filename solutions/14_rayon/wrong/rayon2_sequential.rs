// WRONG: a sequential iter_mut(): every item is adjusted on one thread, one after another

/// Applies `adjust` to every item, in place, in parallel on the current pool.
pub fn adjust_all<T, F>(items: &mut [T], adjust: F)
where
    T: Send,
    F: Fn(&mut T) + Send + Sync,
{
    items.iter_mut().for_each(adjust);
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
