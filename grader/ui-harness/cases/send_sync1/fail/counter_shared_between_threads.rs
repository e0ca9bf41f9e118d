// Two threads must not be able to use one TicketCounter at once: it must not be Sync.
//
// `thread::scope(|s| { s.spawn(|| counter.take()); s.spawn(|| counter.take()); })` is what
// must not compile, but rustc's error for it names the field that is not Sync (`Cell<u64>`,
// `RefCell<u64>`, ...), which is the learner's choice. This probe asks the same question,
// and its error names only the probe's own types.
#[path = "../lesson.rs"]
#[allow(dead_code)]
mod lesson;

use lesson::TicketCounter;
use std::marker::PhantomData;

/// What the probe finds. Only these two types, and the lesson's own, appear in the
/// expected compiler error: whatever makes a correct `TicketCounter` not `Sync`, the
/// error reads the same.
struct Shareable;
struct NotShareable;

struct Probe<T>(PhantomData<T>);

trait ProbeSync {
    fn probe(&self) -> Shareable {
        Shareable
    }
}
impl<T: Sync> ProbeSync for Probe<T> {}

trait ProbeFallback {
    fn probe(&self) -> NotShareable {
        NotShareable
    }
}
impl<T> ProbeFallback for &Probe<T> {}

fn main() {
    // Method resolution picks `ProbeSync::probe` only if `TicketCounter: Sync`, and falls
    // back to `ProbeFallback::probe` otherwise: sharing a TicketCounter must not compile.
    let _shared: Shareable = (&Probe::<TicketCounter>(PhantomData)).probe();
}
