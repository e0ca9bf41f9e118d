//! The JSON forms of the grader's results, as documented in the README. Views only: they
//! borrow the engine's data and add no logic beyond naming.

use serde::Serialize;

use crate::course::{Exercise, Mode};
use crate::engine::Graded;
use crate::run::{Diagnosis, ThreadState};
use crate::verdict::{TestResult, Verdict, VerdictKind};

/// `threadlings list --json`: one entry per exercise.
#[derive(Serialize)]
pub struct ListEntry<'a> {
    pub name: &'a str,
    pub path: String,
    pub topic: &'a str,
    pub mode: Mode,
    pub done: bool,
    pub points: u32,
}

impl<'a> ListEntry<'a> {
    pub fn new(exercise: &'a Exercise, done: bool) -> Self {
        ListEntry {
            name: &exercise.name,
            path: exercise_path(exercise),
            topic: &exercise.topic,
            mode: exercise.mode,
            done,
            points: exercise.points,
        }
    }
}

fn exercise_path(exercise: &Exercise) -> String {
    format!("exercises/{}/{}.rs", exercise.dir, exercise.name)
}

/// `threadlings run --json`: one graded exercise.
#[derive(Serialize)]
pub struct RunReport<'a> {
    pub exercise: &'a str,
    pub verdict: VerdictKind,
    pub tests: &'a [TestResult],
    pub diagnosis: Option<DiagnosisReport<'a>>,
    pub duration_ms: u128,
    /// The test that was running when the process hung or crashed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interrupted_test: Option<&'a str>,
    /// rustc's rendered errors, for `compile_error`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compiler_errors: Option<&'a str>,
    /// Why the process died, for `crashed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crash: Option<String>,
    /// What was changed, for `tampered`.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub findings: &'a [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub notes: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stderr: Option<&'a str>,
}

/// What the OS said about a hung process.
#[derive(Serialize)]
pub struct DiagnosisReport<'a> {
    pub kind: &'static str,
    pub summary: String,
    pub threads: &'a [ThreadState],
}

impl<'a> RunReport<'a> {
    pub fn new(graded: &'a Graded) -> Self {
        let verdict = graded.verdict();
        let (interrupted_test, diagnosis, crash) = match verdict {
            Verdict::TimedOut {
                test, diagnosis, ..
            } => (test.as_deref(), Some(DiagnosisReport::new(diagnosis)), None),
            Verdict::Crashed { test, cause } => (
                test.as_deref(),
                None,
                Some(super::human::crash_text(cause).to_owned()),
            ),
            _ => (None, None, None),
        };
        RunReport {
            exercise: &graded.exercise,
            verdict: verdict.kind(),
            tests: &graded.judgement.tests,
            diagnosis,
            duration_ms: graded.duration.as_millis(),
            interrupted_test,
            compiler_errors: match verdict {
                Verdict::CompileError { errors } => Some(errors),
                _ => None,
            },
            crash,
            findings: match verdict {
                Verdict::Tampered { findings } => findings,
                _ => &[],
            },
            notes: &graded.notes,
            stderr: graded.stderr.as_deref(),
        }
    }
}

impl<'a> DiagnosisReport<'a> {
    fn new(diagnosis: &'a Diagnosis) -> Self {
        let (kind, threads): (&'static str, &'a [ThreadState]) = match diagnosis {
            Diagnosis::Deadlock { threads } => ("deadlock", threads),
            Diagnosis::BusyLoop { running } => ("busy_loop", running),
            Diagnosis::Unknown => ("unknown", &[]),
        };
        DiagnosisReport {
            kind,
            summary: super::human::diagnosis_summary(diagnosis),
            threads,
        }
    }
}
