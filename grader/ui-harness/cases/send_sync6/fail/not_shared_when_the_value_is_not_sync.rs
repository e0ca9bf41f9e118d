// A `&MyArc<T>` on another thread gives it a `&T`: a `MyArc` must not be shared when two
// threads must not share a `T`.
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
    // back to `ProbeSyncFallback::probe` otherwise. A `MyArc<SendOnly>` must not be `Sync`.
    let _shared: Shareable = (&Probe::<MyArc<SendOnly>>(PhantomData)).probe();
}
