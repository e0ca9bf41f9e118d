//! Running an exercise's `main()` after it passes, as rustlings does: the learner sees
//! what their program does, not only that its tests pass. The program is learner code:
//! it runs contained, under the test run's limits and the exercise's time limit, and its
//! output is data to show (escaped by the reporter), never a verdict.
//!
//! Must not: print (the output is data for the sinks) or judge: a program's run is never
//! a verdict.

use std::time::Duration;

use crate::build::Cargo;
use crate::course::{Course, Exercise};
use crate::engine::MEMORY_LIMIT_BYTES;
use crate::error::Error;
use crate::run::{self, Exit, Limits, Spec};
use crate::submission::Submission;

/// Output kept of each stream of the program (half from the start, half from the end).
const OUTPUT_CAP: usize = 16 * 1024;

/// What the program printed and how it ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgramOutput {
    pub stdout: String,
    pub stderr: String,
    pub end: ProgramEnd,
}

/// How the program ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProgramEnd {
    Exited(i32),
    Killed(String),
    TimedOut(Duration),
}

/// Builds the program of `submission`'s exercise and runs it once. `Err(Error::Cancelled)` when it was
/// cancelled (a save, a quit).
pub fn run_main(
    cargo: &Cargo,
    course: &Course,
    submission: &Submission,
    exercise: &Exercise,
) -> Result<ProgramOutput, Error> {
    let program = cargo.build_program(course, submission, exercise)?;
    let cores = std::thread::available_parallelism().map_or(1, usize::from) as u64;
    let mut spec = Spec::new(program, exercise.timeout);
    spec.contain = true;
    spec.output_cap = OUTPUT_CAP;
    spec.cancel.clone_from(&cargo.cancel);
    spec.limits = Some(Limits {
        memory_bytes: MEMORY_LIMIT_BYTES,
        cpu_secs: exercise.timeout.as_secs() * cores + 5,
        file_bytes: 64 * 1024 * 1024,
    });
    let output = run::run(&spec).map_err(|err| Error::Tool(err.to_string()))?;
    let end = match output.exit {
        Exit::Code(code) => ProgramEnd::Exited(code),
        Exit::Signal { name, .. } => ProgramEnd::Killed(name),
        Exit::TimedOut { .. } => ProgramEnd::TimedOut(exercise.timeout),
        Exit::Cancelled => return Err(Error::Cancelled),
    };
    Ok(ProgramOutput {
        stdout: output.stdout.text(),
        stderr: output.stderr.text(),
        end,
    })
}
