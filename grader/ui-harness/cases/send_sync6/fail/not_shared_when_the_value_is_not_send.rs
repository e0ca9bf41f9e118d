// A `&MyArc<T>` on another thread lets it clone a handle, which may be the last one and
// drop the `T` there: a `MyArc` must not be shared when a `T` must not move.
//
// rustc's own error for this names whatever field of the lesson's type decides it, which is
// the learner's choice. This probe asks the same question, and its error names only the
// probe's own types: any correct answer gets exactly the same error.
#[path = "../lesson.rs"]
#[allow(warnings)]
mod lesson;

use lesson::MyArc;
use std::marker::PhantomData;

/// A value that may be shared but must be dropped where it was made: `Sync`, not `Send`,
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
    // back to `ProbeSyncFallback::probe` otherwise. A `MyArc<SyncOnly>` must not be `Sync`.
    let _shared: Shareable = (&Probe::<MyArc<SyncOnly>>(PhantomData)).probe();
}
