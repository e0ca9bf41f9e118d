// WRONG: find_any stops early, but any and all still count every item
use rayon::prelude::*;

/// Whether any item matches, searched in parallel on the current pool, stopping early.
pub fn contains_match<T, P>(items: &[T], is_match: P) -> bool
where
    T: Sync,
    P: Fn(&T) -> bool + Send + Sync,
{
    items.par_iter().filter(|item| is_match(item)).count() > 0
}

/// Whether every item is valid, checked in parallel on the current pool, stopping at the
/// first invalid one found.
pub fn all_valid<T, P>(items: &[T], is_valid: P) -> bool
where
    T: Sync,
    P: Fn(&T) -> bool + Send + Sync,
{
    !items
        .par_iter()
        .map(is_valid)
        .collect::<Vec<bool>>()
        .contains(&false)
}

/// Some item that matches (any of them), searched in parallel on the current pool,
/// stopping early.
pub fn find_match<T, P>(items: &[T], is_match: P) -> Option<&T>
where
    T: Sync,
    P: Fn(&T) -> bool + Send + Sync,
{
    // Any match will do, so let whichever thread finds one first win.
    items.par_iter().find_any(|item| is_match(item))
}

/// A toy hash: do not use it for real passwords.
pub fn toy_hash(word: &str) -> u64 {
    word.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn main() {
    let words: Vec<String> = (0..200_000).map(|n| format!("pw{n}")).collect();
    let target = toy_hash("pw123456");
    match find_match(&words, |word| toy_hash(word) == target) {
        Some(word) => println!("the password is {word:?}"),
        None => println!("not found"),
    }
    println!(
        "every word starts with \"pw\": {}",
        all_valid(&words, |word| word.starts_with("pw"))
    );
    println!(
        "some word ends in 42: {}",
        contains_match(&words, |word| word.ends_with("42"))
    );
}
