// A `Window` is a row of its own thread's table: other threads must not use it through a
// reference either.
//
// rustc's own error for this names whatever field of the lesson's type decides it, which is
// the learner's choice. This probe asks the same question, and its error names only the
// probe's own types: any correct answer gets exactly the same error.
#[path = "../lesson.rs"]
#[allow(warnings)]
mod lesson;

use lesson::Window;
use std::marker::PhantomData;

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
    // back to `ProbeSyncFallback::probe` otherwise. A `Window` must not be `Sync`.
    let _shared: Shareable = (&Probe::<Window>(PhantomData)).probe();
}
