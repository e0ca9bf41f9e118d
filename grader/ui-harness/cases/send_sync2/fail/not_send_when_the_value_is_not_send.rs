// A `Shared<T>` must not move to another thread when its `T` cannot: if the moved handle
// is the last one, it drops the `T` on the other thread.
//
// rustc's own error for this names whatever field of the lesson's type decides it, which is
// the learner's choice. This probe asks the same question, and its error names only the
// probe's own types: any correct answer gets exactly the same error.
#[path = "../lesson.rs"]
#[allow(warnings)]
mod lesson;

use lesson::Shared;
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
    // back to `ProbeSendFallback::probe` otherwise. A `Shared<SyncOnly>` must not be `Send`.
    let _moved: Movable = (&Probe::<Shared<SyncOnly>>(PhantomData)).probe();
}
