// WRONG: returns the digests in the order they arrive, unsorted
//! # Hashing files on a fixed-size pool, results over a channel
//!
//! A classic pool job: hash many files. Each file is an independent job, so we
//! `pool.spawn` one job per file. `spawn` returns at once and its job must own what it
//! uses (`'static`): move the file's bytes in, with a clone of the hasher and of the
//! channel's `Sender`. Each job sends its `(name, digest)` back, and the caller collects
//! them with `rx.iter()`, then sorts them, since jobs finish in any order.
//!
//! `rx.iter()` ends only when *every* `Sender` is gone. The jobs drop their clones when
//! they finish, but the original `tx` belongs to the caller: while it is alive, the loop
//! waits for messages that can never come. Right now `hash_files` hangs: find out why.
//!
//! - rayon: <https://docs.rs/rayon/1/rayon/struct.ThreadPool.html#method.spawn>
//! - std: <https://doc.rust-lang.org/std/sync/mpsc/fn.channel.html>,
//!   <https://doc.rust-lang.org/std/sync/mpsc/struct.Receiver.html#method.iter>
//! - rust_howto, hashing files on a pool:
//!   <https://john-cd.com/rust_howto/categories/concurrency/threadpool.html#sha256-of-iso-files-concurrently>
//! - FNV-1a: <http://www.isthe.com/chongo/tech/comp/fnv/index.html>

use rayon::ThreadPool;
use std::sync::mpsc;

/// The 64-bit FNV-1a hash of `bytes`: tiny, fast, and not cryptographic.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes.iter().fold(OFFSET_BASIS, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(PRIME)
    })
}

/// Hashes every file (a name and its contents) with `hasher`, one job per file on `pool`,
/// and returns the `(name, digest)` pairs sorted by name.
pub fn hash_files<H>(
    pool: &ThreadPool,
    files: Vec<(String, Vec<u8>)>,
    hasher: H,
) -> Vec<(String, u64)>
where
    H: Fn(&[u8]) -> u64 + Clone + Send + 'static,
{
    let (tx, rx) = mpsc::channel();
    for (name, bytes) in files {
        let tx = tx.clone();
        let hasher = hasher.clone();
        pool.spawn(move || {
            let digest = hasher(&bytes);
            // The receiver lives until every sender is gone, so this cannot fail.
            tx.send((name, digest))
                .expect("the receiver outlives every job");
        });
    }
    // The jobs hold their own clones; ours would keep `rx.iter()` waiting forever.
    drop(tx);
    rx.iter().collect()
}

fn main() {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .expect("failed to build the pool");
    let files: Vec<_> = ["readme.md", "main.rs", "Cargo.toml", "empty.txt"]
        .into_iter()
        .map(|name| {
            let contents = if name == "empty.txt" {
                String::new()
            } else {
                format!("the contents of {name}\n")
            };
            (name.to_string(), contents.into_bytes())
        })
        .collect();
    for (name, digest) in hash_files(&pool, files, fnv1a) {
        println!("{digest:016x}  {name}");
    }
}
