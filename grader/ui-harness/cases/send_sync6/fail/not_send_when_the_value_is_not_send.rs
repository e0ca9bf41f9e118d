// A `MyArc<T>` moved to another thread may be the last handle, and drop its `T` there: it
// must not move when a `T` must not.
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
struct Movable;
struct NotMovable;

struct Probe<T>(PhantomData<T>);

trait ProbeSend {
    fn probe(&self) -> Movable {
        Movable
    }
}
impl<T: Send> ProbeSend for Probe<T> {}

trait ProbeSendFallback {
    fn probe(&self) -> NotMovable {
        NotMovable
    }
}
impl<T> ProbeSendFallback for &Probe<T> {}

fn main() {
    // Method resolution picks `ProbeSend::probe` only if the type is `Send`, and falls
    // back to `ProbeSendFallback::probe` otherwise. A `MyArc<SyncOnly>` must not be `Send`.
    let _moved: Movable = (&Probe::<MyArc<SyncOnly>>(PhantomData)).probe();
}
