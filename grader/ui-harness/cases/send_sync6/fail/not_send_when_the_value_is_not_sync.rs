// A `MyArc<T>` moved to another thread shares its `T` with the handles left behind: it must
// not move when two threads must not share a `T`.
//
// rustc's own error for this names whatever field of the lesson's type decides it, which is
// the learner's choice. This probe asks the same question, and its error names only the
// probe's own types: any correct answer gets exactly the same error.
#[path = "../lesson.rs"]
#[allow(warnings)]
mod lesson;

use lesson::MyArc;
use std::marker::PhantomData;

/// A value that may move to another thread but not be shared: `Send`, not `Sync`, like a
/// `Cell<u8>`.
#[allow(dead_code)]
struct SendOnly(PhantomData<std::cell::Cell<u8>>);

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
    // back to `ProbeSendFallback::probe` otherwise. A `MyArc<SendOnly>` must not be `Send`.
    let _moved: Movable = (&Probe::<MyArc<SendOnly>>(PhantomData)).probe();
}
