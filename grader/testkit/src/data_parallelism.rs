//! Data parallelism: prove that a parallel iterator (or `rayon::join`, or a scope) ran
//! its per-item work on several threads at once, from inside that work.
//!
//! A parallel iterator calls the per-item closure many times, and the test cannot know
//! which calls rayon runs at the same time. A [`Meeting`] makes the *first* `parties`
//! calls meet at a [`Rendezvous`](crate::Rendezvous) and lets every later call straight
//! through. A thread held at the meeting cannot make another call, so the first
//! `parties` calls come from `parties` different threads: on a pool of exactly that many
//! threads they meet only if the work was split and every worker took a part. A
//! sequential `iter()` makes one call, which waits alone, and the meeting gives up (on
//! Linux as soon as every other thread is blocked for good) with the likely mistake.
//!
//! Size the input so that rayon makes at least `parties` pieces of work: `n >= parties`
//! items for an indexed iterator (rayon splits it into at least as many pieces as the
//! pool has threads, whoever steals them), more than 2000 × `parties` items for
//! `par_sort` (it sorts chunks of 2000 in parallel, then merges).

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::Rendezvous;

/// The first `parties` calls to [`Meeting::arrive`] meet; later calls go straight
/// through.
#[derive(Debug)]
pub struct Meeting {
    rendezvous: Rendezvous,
    calls: AtomicUsize,
}

impl Meeting {
    /// A meeting of the first `parties` calls; `likely_mistake` is shown when they never
    /// all get there ("the items were processed one after another: use `par_iter`").
    pub fn new(parties: usize, likely_mistake: &'static str) -> Meeting {
        Meeting {
            rendezvous: Rendezvous::new(parties, likely_mistake),
            calls: AtomicUsize::new(0),
        }
    }

    /// Arrives: one of the first `parties` calls waits until all of them are here; a
    /// later call returns at once.
    ///
    /// # Panics
    /// If the first `parties` calls do not all arrive within the rendezvous' bound (at
    /// once on Linux when nobody else can arrive).
    #[track_caller]
    pub fn arrive(&self) {
        if self.calls.fetch_add(1, Ordering::SeqCst) < self.rendezvous.parties() {
            self.rendezvous.arrive();
        }
    }

    /// How many calls were made so far.
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    /// Whether the first `parties` calls all met.
    pub fn met(&self) -> bool {
        self.rendezvous.arrived() == self.rendezvous.parties()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::thread;

    #[test]
    fn the_first_calls_meet_and_later_calls_pass() {
        let meeting = Arc::new(Meeting::new(3, "unused"));
        let handles: Vec<_> = (0..3)
            .map(|_| {
                let meeting = Arc::clone(&meeting);
                thread::spawn(move || meeting.arrive())
            })
            .collect();
        for handle in handles {
            handle.join().expect("a party panicked");
        }
        assert!(meeting.met());
        // Later calls, even from one thread alone, do not wait.
        for _ in 0..10 {
            meeting.arrive();
        }
        assert_eq!(meeting.calls(), 13);
    }

    #[test]
    fn a_lone_caller_gives_up_with_the_likely_mistake() {
        let meeting = Meeting::new(2, "one item at a time");
        let panic = thread::scope(|scope| {
            scope
                .spawn(|| meeting.arrive())
                .join()
                .expect_err("a lone call must give up")
        });
        let message = panic
            .downcast_ref::<String>()
            .expect("the panic carries a formatted message");
        assert!(message.contains("only 1 of 2 threads"), "{message}");
        assert!(message.ends_with("one item at a time"), "{message}");
        assert!(!meeting.met());
    }
}
