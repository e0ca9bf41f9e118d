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
    let mut digests: Vec<_> = rx.iter().collect();
    digests.sort_unstable_by(|(a, _), (b, _)| a.cmp(b));
    digests
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

#[cfg(test)]
mod tests {
    use super::*;
    use crossbeam::channel;
    use rayon::ThreadPoolBuilder;
    use std::sync::Arc;
    use std::thread;
    use threadlings_testkit::{Gate, Running};

    /// A pool of `threads` workers named `<name>-0`, `<name>-1`, ...
    fn test_pool(threads: usize, name: &'static str) -> ThreadPool {
        ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(move |index| format!("{name}-{index}"))
            // Without a handler, a panic in a `pool.spawn` job aborts the whole test run;
            // with one, the job just ends (its message is still printed) and the test
            // reports what is missing.
            .panic_handler(|_| {})
            .build()
            .expect("failed to build the test pool")
    }

    fn file(name: &str, contents: &str) -> (String, Vec<u8>) {
        (name.to_string(), contents.as_bytes().to_vec())
    }

    /// Panics unless the current thread is a worker of the pool named `name`.
    fn assert_on_pool(name: &str) {
        let current = thread::current();
        let thread_name = current.name().unwrap_or("<unnamed>");
        assert!(
            thread_name.starts_with(&format!("{name}-")),
            "a file was hashed on thread {thread_name:?}, not on the pool: `pool.spawn` a job per file"
        );
    }

    #[test]
    fn fnv1a_matches_the_reference_vectors() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn every_file_gets_its_exact_digest_sorted_by_name() {
        let pool = test_pool(2, "digests");
        let files = vec![
            file("c.txt", "foobar"),
            file("a.txt", ""),
            file("b.txt", "a"),
        ];
        assert_eq!(
            hash_files(&pool, files, fnv1a),
            [
                ("a.txt".to_string(), 0xcbf2_9ce4_8422_2325),
                ("b.txt".to_string(), 0xaf63_dc4c_8601_ec8c),
                ("c.txt".to_string(), 0x8594_4171_f739_67e8),
            ]
        );
    }

    #[test]
    fn files_are_hashed_on_the_given_pool_only() {
        let pool = test_pool(2, "fixed");
        let files: Vec<_> = (0..20)
            .map(|i| file(&format!("{i:02}.log"), &"x".repeat(i)))
            .collect();
        let digests = hash_files(&pool, files, |bytes: &[u8]| {
            assert_on_pool("fixed");
            fnv1a(bytes)
        });
        assert_eq!(digests.len(), 20, "every file is hashed once");
        assert_eq!(digests[3], ("03.log".to_string(), fnv1a(b"xxx")));
    }

    #[test]
    fn files_are_hashed_at_the_same_time() {
        // Every job waits at the gate until the test opens it: once `hash_files` is
        // blocked, all three must be waiting there together.
        let gate = Arc::new(Gate::new("the jobs"));
        let _release = gate.open_on_drop();
        let held = Arc::clone(&gate);
        // The pool is built on the watched thread, so its workers are watched too.
        let running = Running::spawn("`hash_files`", move || {
            let pool = test_pool(3, "parallel");
            let files = vec![file("x", "1"), file("y", "2"), file("z", "3")];
            hash_files(&pool, files, move |bytes: &[u8]| {
                assert_on_pool("parallel");
                held.wait();
                fnv1a(bytes)
            })
        });
        running.until_blocked(
            "its jobs were held at the gate",
            "receive until the channel closes",
        );
        assert_eq!(
            gate.waiting(),
            3,
            "only {} of 3 files were hashed at the same time: spawn one job per file on the \
             pool",
            gate.waiting()
        );
        gate.open();
        assert_eq!(running.join().len(), 3, "every file is hashed once");
    }

    #[test]
    fn waits_for_a_slow_file_however_long_it_takes() {
        // One file takes as long as the test wants: `hash_files` must wait for it, blocked
        // on the channel, not give up after an idle timeout.
        let gate = Arc::new(Gate::new("the slow file"));
        let _release = gate.open_on_drop();
        let held = Arc::clone(&gate);
        let running = Running::spawn("`hash_files`", move || {
            let pool = test_pool(2, "slow");
            let files = vec![file("quick", "q"), file("slow", "s")];
            hash_files(&pool, files, move |bytes: &[u8]| {
                if bytes == b"s" {
                    held.wait();
                }
                fnv1a(bytes)
            })
        });
        running.until_blocked(
            "the file \"slow\" was still being hashed",
            "end the receiving loop when the channel closes (every job's Sender dropped), \
             not after an idle timeout or a fixed number of polls",
        );
        gate.open();
        assert_eq!(
            running.join(),
            [
                ("quick".to_string(), fnv1a(b"q")),
                ("slow".to_string(), fnv1a(b"s")),
            ]
        );
    }

    #[test]
    fn results_are_sorted_even_when_hashed_out_of_order() {
        // "first" may only finish after "second" has been hashed, so the digests arrive in
        // the wrong order: the result must be sorted anyway.
        let running = Running::spawn("`hash_files`", move || {
            let pool = test_pool(2, "order");
            let (second_done, wait_for_second) = channel::bounded::<()>(1);
            let files = vec![file("1-first", "first"), file("2-second", "second")];
            hash_files(&pool, files, move |bytes: &[u8]| {
                if bytes == b"first" {
                    // Every clone of the hasher holds `second_done`: `recv` never fails.
                    wait_for_second.recv().unwrap();
                } else {
                    second_done.send(()).unwrap();
                }
                fnv1a(bytes)
            })
        });
        running.until_finished(
            "\"second\" was never hashed while \"first\" waited for it: spawn one job per \
             file on the pool, so that they are hashed at the same time",
        );
        assert_eq!(
            running.join(),
            [
                ("1-first".to_string(), fnv1a(b"first")),
                ("2-second".to_string(), fnv1a(b"second")),
            ]
        );
    }

    #[test]
    fn no_files_no_digests() {
        let pool = test_pool(1, "none");
        assert!(hash_files(&pool, Vec::new(), fnv1a).is_empty());
    }
}
