//! The grader of the threadlings course, as a library: the `threadlings` binary is a thin
//! command line over it, and an editor extension, a classroom service or a test can drive
//! the same engine.
//!
//! The modules form a one-way stack; an arrow only ever points down, and no module imports
//! one above it, and none imports itself through others (CONTRIBUTING.md, "The grader",
//! draws the picture; the `layers` test checks it):
//!
//! ```text
//! drivers    cli, commands, watch/ (driver, session, view), devcheck, devcheck_model,
//!            variants, classroom/                              what to grade and when
//! sinks      report/ (the only printer; report/class/ for class reports),
//!            progress (the only state writer)
//! engine     engine (grade = build → run → judge, emitting events), program, gradebook,
//!            problem
//! mechanics  build, compile_fail, libtest, verdict, model_check, weaken, git
//! base       course (trusted), submission (graded), finding, error, tamper, forbid,
//!            invocation,
//!            run/ (the only process starter)
//! ```
//!
//! Three rules hold across the stack: only `report` prints, only `run` starts processes,
//! only `progress` writes state (and the learner's file, on an explicit reset). Learner
//! failure is data (a closed [`verdict::Verdict`]); grader faults are [`error::Error`]s.

pub mod build;
pub mod classroom;
pub mod cli;
pub mod commands;
pub mod compile_fail;
pub mod course;
pub mod devcheck;
pub mod devcheck_model;
pub mod engine;
pub mod error;
pub mod finding;
pub mod forbid;
pub mod git;
pub mod gradebook;
pub mod invocation;
pub mod libtest;
pub mod model_check;
pub mod problem;
pub mod program;
pub mod progress;
pub mod report;
pub mod run;
pub mod submission;
pub mod tamper;
pub mod variants;
pub mod verdict;
pub mod watch;
pub mod weaken;

#[cfg(test)]
mod layers;
