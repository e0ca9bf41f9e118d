//! How the learner started the grader, so that messages name commands that work for them:
//! `cargo threadlings …` from a checkout (cargo built and ran the grader from the course's
//! own `target/`), `threadlings …` when it was installed. Set once at start-up by the
//! command line layer; read by whoever words a message.
//!
//! Must not: print or change anything after start-up.

use std::path::Path;
use std::sync::OnceLock;

static COMMAND: OnceLock<&'static str> = OnceLock::new();

/// `cargo threadlings` when the running executable is the one cargo builds in the
/// course's `target/` (the `cargo threadlings` alias), `threadlings` otherwise.
pub fn detect(course_root: &Path) -> &'static str {
    let via_cargo = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.canonicalize().ok())
        .zip(course_root.join("target").canonicalize().ok())
        .is_some_and(|(exe, target)| exe.starts_with(target));
    let command = if via_cargo {
        "cargo threadlings"
    } else {
        "threadlings"
    };
    let _ = COMMAND.set(command);
    command
}

/// The command that starts the grader, as the learner typed it.
pub fn command() -> &'static str {
    COMMAND.get().copied().unwrap_or("threadlings")
}
