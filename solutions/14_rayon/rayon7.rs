//! # Blocks of a slice: `par_chunks`
//!
//! Some work is naturally done a block at a time: checksums of a file's 4 KiB blocks,
//! rows of an image, batches of records. `par_chunks(len)` is the parallel twin of
//! `chunks(len)`: a parallel iterator over `&[T]` blocks of `len` items, the last one
//! shorter when `len` does not divide the slice. (`par_chunks_exact` skips that shorter
//! tail: it is then left for you in `remainder()`.) `par_chunks_mut` hands out `&mut`
//! blocks.
//!
//! It is an *indexed* parallel iterator: rayon knows where every block sits, so `collect`
//! puts each result at its block's position, whichever thread finished first. The
//! checksums below come back in block order without any sorting.
//!
//! - rayon: <https://docs.rs/rayon/1/rayon/slice/trait.ParallelSlice.html#method.par_chunks>
//! - rust_howto, data parallelism:
//!   <https://john-cd.com/rust_howto/categories/concurrency/data_parallelism.html>

use rayon::prelude::*;

/// `checksum` of every block of `block_len` bytes of `data` (the last block may be
/// shorter), in block order, computed in parallel on the current pool.
///
/// # Panics
/// If `block_len` is 0.
pub fn block_checksums<F>(data: &[u8], block_len: usize, checksum: F) -> Vec<u16>
where
    F: Fn(&[u8]) -> u16 + Send + Sync,
{
    // Indexed: `collect` keeps the blocks' order, whoever computes which block.
    data.par_chunks(block_len).map(checksum).collect()
}

/// Fletcher's 16-bit checksum of a block.
pub fn fletcher16(block: &[u8]) -> u16 {
    let (mut low, mut high) = (0_u16, 0_u16);
    for &byte in block {
        low = (low + u16::from(byte)) % 255;
        high = (high + low) % 255;
    }
    (high << 8) | low
}

fn main() {
    let data: Vec<u8> = (0..10_000_u32).map(|n| (n * 31 % 251) as u8).collect();
    let checksums = block_checksums(&data, 4096, fletcher16);
    for (index, checksum) in checksums.iter().enumerate() {
        println!("block {index}: {checksum:#06x}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::{ThreadPool, ThreadPoolBuilder};
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
            "a block was checked on thread {thread_name:?}, not on the caller's pool: use a \
             parallel iterator, which runs on the current pool"
        );
    }

    #[test]
    fn every_block_is_checked_in_block_order_the_last_one_too() {
        let pool = test_pool(3, "blocks");
        let data: Vec<u8> = (0..=255).cycle().take(1000).collect();
        // Each block's "checksum" is its first byte and its length: 100 blocks of 10, ...
        let summary = |block: &[u8]| u16::from(block[0]) << 8 | block.len() as u16;
        let checksums = pool.install(|| block_checksums(&data, 64, summary));
        let expected: Vec<u16> = (0..16)
            .map(|block| {
                let start = block * 64;
                u16::from(data[start]) << 8 | (1000 - start).min(64) as u16
            })
            .collect();
        assert_eq!(
            checksums.len(),
            16,
            "1000 bytes make 15 blocks of 64 and a last block of 40"
        );
        assert_eq!(
            checksums, expected,
            "(first byte << 8 | length) of each block"
        );
    }

    #[test]
    fn fletcher_checksums_match_a_sequential_computation() {
        let pool = test_pool(2, "fletcher");
        let data: Vec<u8> = (0..10_000_u32).map(|n| (n * 31 % 251) as u8).collect();
        let expected: Vec<u16> = data.chunks(4096).map(fletcher16).collect();
        assert_eq!(
            pool.install(|| block_checksums(&data, 4096, fletcher16)),
            expected
        );
        assert_eq!(pool.install(|| block_checksums(&[], 16, fletcher16)), []);
    }

    #[test]
    fn blocks_are_checked_on_the_callers_pool() {
        let pool = test_pool(3, "caller");
        let data = vec![1; 500];
        let checksums = pool.install(|| {
            block_checksums(&data, 10, |block| {
                assert_on_pool("caller");
                block.len() as u16
            })
        });
        assert_eq!(checksums, [10; 50]);
    }

    #[test]
    fn blocks_are_checked_on_every_pool_thread_at_once() {
        // The first three checksums meet: each waits until three blocks are being
        // checked at the same time, one per pool thread.
        let pool = test_pool(3, "together");
        let meeting = Meeting::new(
            3,
            "the blocks were checked one after another on one thread: use `par_chunks`",
        );
        let data = vec![7; 100];
        let checksums = pool.install(|| {
            block_checksums(&data, 8, |block| {
                assert_on_pool("together");
                meeting.arrive();
                block.len() as u16
            })
        });
        assert_eq!(checksums.len(), 13);
    }
}
