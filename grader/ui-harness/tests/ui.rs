//! Runs one staged compile-fail lesson through trybuild: every `pass/*.rs` case must
//! compile and run, every `fail/*.rs` case must fail to compile with exactly the
//! diagnostics in its `.stderr` file. The grader stages the lesson in the folder named by
//! `THREADLINGS_UI_DIR`: the learner's file as `lesson.rs`, next to the lesson's cases.

use std::env;
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(dir) = env::var_os("THREADLINGS_UI_DIR").map(PathBuf::from) else {
        eprintln!(
            "THREADLINGS_UI_DIR is not set: this harness is run by the threadlings grader \
             (`threadlings run NAME`), not by `cargo test`"
        );
        return ExitCode::from(2);
    };
    let cases = trybuild::TestCases::new();
    if dir.join("pass").is_dir() {
        cases.pass(dir.join("pass/*.rs"));
    }
    if dir.join("fail").is_dir() {
        cases.compile_fail(dir.join("fail/*.rs"));
    }
    // Dropping `cases` runs them, and panics if any case did not come out as expected.
    drop(cases);
    ExitCode::SUCCESS
}
