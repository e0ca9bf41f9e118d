// Workers sharing a `JobQueue<T>` each take jobs from it to their own thread: when a `T`
// cannot move to another thread, the workers must not be able to share the queue, however
// shareable the jobs themselves are.
//
// rustc's own error for this names whatever field of the lesson's type decides it, which is
// the learner's choice. This probe asks the same question, and its error names only the
// probe's own types: any correct answer gets exactly the same error.
#[path = "../lesson.rs"]
#[allow(warnings)]
mod lesson;

use lesson::JobQueue;
use std::marker::PhantomData;

/// A job that may be shared but must stay on the thread that made it: `Sync`, not `Send`,
/// like a `MutexGuard<'_, u8>`.
#[allow(dead_code)]
struct SyncOnly(PhantomData<*const u8>);
unsafe impl Sync for SyncOnly {}

/// What the probe finds. Only these two types appear in the expected compiler error.
struct Shareable;
struct NotShareable;

struct Probe<T>(PhantomData<T>);

trait ProbeSync {
    fn probe(&self) -> Shareable {
        Shareable
    }
}
impl<T: Sync> ProbeSync for Probe<T> {}

trait ProbeSyncFallback {
    fn probe(&self) -> NotShareable {
        NotShareable
    }
}
impl<T> ProbeSyncFallback for &Probe<T> {}

fn main() {
    // Method resolution picks `ProbeSync::probe` only if the type is `Sync`, and falls
    // back to `ProbeSyncFallback::probe` otherwise. A `JobQueue<SyncOnly>` must not be `Sync`.
    let _shared: Shareable = (&Probe::<JobQueue<SyncOnly>>(PhantomData)).probe();
}
