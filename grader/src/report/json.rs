//! The JSON format: the grader's results as documented in the README (`--json`,
//! `--output-format json`). Views only: they borrow the engine's data and add no logic
//! beyond naming.

use serde::Serialize;

use super::{CheckEvent, Doctor, Format, Out, Shape, Sink};
use crate::course::{Course, Exercise, Mode, Side};
use crate::engine::{Event, Graded};
use crate::finding::Finding;
use crate::run::{Diagnosis, Stacks, ThreadState};
use crate::verdict::{TestResult, Verdict, VerdictKind};

pub const FORMAT: Format = Format::new("json", || Box::new(Json));

/// The sink of the JSON format: one document per command, printed when it ends.
#[derive(Debug)]
pub struct Json;

impl Sink for Json {
    fn event(&self, _: &Out, _: &Event<'_>) {}

    fn finish(&self, out: &Out, results: &[(&Exercise, &Graded)], shape: Shape) {
        let reports: Vec<RunReport<'_>> = results
            .iter()
            .map(|(exercise, graded)| RunReport::new(exercise, graded))
            .collect();
        match (shape, reports.as_slice()) {
            (Shape::One, [report]) => out.print_json(report),
            _ => out.print_json(&reports),
        }
    }

    fn list(&self, out: &Out, course: &Course, done: &[bool]) {
        let entries: Vec<ListEntry<'_>> = course
            .exercises
            .iter()
            .zip(done)
            .map(|(exercise, done)| ListEntry::new(exercise, *done))
            .collect();
        out.print_json(&entries);
    }

    fn progress(&self, out: &Out, course: &Course, done: &[bool], _markdown: bool) {
        out.print_json(&ProgressReport::new(course, done));
    }

    fn doctor(&self, out: &Out, doctor: &Doctor) {
        out.print_json(doctor);
    }

    /// One document at the end: the problems, typed, and the counts.
    fn check(&self, out: &Out, event: &CheckEvent<'_>) {
        if let CheckEvent::Finished(report) = event {
            out.print_json(report);
        }
    }

    fn watch(&self, out: &Out, event: &super::watch::WatchEvent<'_>) {
        if let Some(line) = super::watch::json_line(event) {
            out.print(&format!("{line}\n"));
        }
    }
}

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
            path: exercise.display_path(Side::Exercise),
            topic: &exercise.topic,
            mode: exercise.mode,
            done,
            points: exercise.points,
        }
    }
}

/// `threadlings progress --json`.
#[derive(Serialize)]
pub struct ProgressReport<'a> {
    pub done: usize,
    pub total: usize,
    pub topics: Vec<TopicProgress<'a>>,
}

/// One topic's progress.
#[derive(Serialize)]
pub struct TopicProgress<'a> {
    pub topic: &'a str,
    pub dir: &'a str,
    pub done: usize,
    pub total: usize,
    pub exercises: Vec<ExerciseProgress<'a>>,
}

#[derive(Serialize)]
pub struct ExerciseProgress<'a> {
    pub name: &'a str,
    pub done: bool,
}

impl<'a> ProgressReport<'a> {
    pub fn new(course: &'a Course, done: &[bool]) -> Self {
        let mut topics: Vec<TopicProgress<'a>> = Vec::new();
        for (exercise, done) in course.exercises.iter().zip(done) {
            let topic = match topics.last_mut() {
                Some(topic) if topic.topic == exercise.topic => topic,
                _ => {
                    topics.push(TopicProgress {
                        topic: &exercise.topic,
                        dir: &exercise.dir,
                        done: 0,
                        total: 0,
                        exercises: Vec::new(),
                    });
                    topics.last_mut().expect("just pushed")
                }
            };
            topic.total += 1;
            topic.done += usize::from(*done);
            topic.exercises.push(ExerciseProgress {
                name: &exercise.name,
                done: *done,
            });
        }
        ProgressReport {
            done: done.iter().filter(|done| **done).count(),
            total: done.len(),
            topics,
        }
    }
}

/// `threadlings run --json`: one graded exercise.
#[derive(Serialize)]
pub struct RunReport<'a> {
    pub exercise: &'a str,
    pub verdict: VerdictKind,
    /// What the exercise is worth in classroom grading (`points` in info.toml).
    pub points: u32,
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
    /// Why the run proves nothing, for `tampered`: each finding's fields, and its
    /// sentence as `message`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<FindingReport<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub notes: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stderr: Option<&'a str>,
}

/// One finding as the JSON output shows it: its own fields (`kind` first), and the
/// sentence the human output prints.
#[derive(Serialize)]
pub struct FindingReport<'a> {
    #[serde(flatten)]
    pub finding: &'a Finding,
    pub message: String,
}

impl<'a> FindingReport<'a> {
    pub fn new(finding: &'a Finding) -> Self {
        FindingReport {
            finding,
            message: finding.to_string(),
        }
    }
}

/// What the OS said about a hung process.
#[derive(Serialize)]
pub struct DiagnosisReport<'a> {
    pub kind: &'static str,
    pub summary: String,
    /// A deadlock seen while the test ran, and stopped before its time limit.
    pub early: bool,
    pub threads: &'a [ThreadState],
    /// Whether the threads' stacks were read (`read`, `unavailable` with a reason,
    /// `not_tried`).
    pub stacks: Option<&'a Stacks>,
}

impl<'a> RunReport<'a> {
    pub fn new(exercise: &Exercise, graded: &'a Graded) -> Self {
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
            points: exercise.points,
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
                Verdict::Tampered { findings } => findings.iter().map(FindingReport::new).collect(),
                _ => Vec::new(),
            },
            notes: &graded.notes,
            stderr: graded.stderr.as_deref(),
        }
    }
}

impl<'a> DiagnosisReport<'a> {
    fn new(diagnosis: &'a Diagnosis) -> Self {
        let (kind, threads): (&'static str, &'a [ThreadState]) = match diagnosis {
            Diagnosis::Deadlock { threads, .. } => ("deadlock", threads),
            Diagnosis::BusyLoop { running, .. } => ("busy_loop", running),
            Diagnosis::Waiting { threads, .. } => ("waiting", threads),
            Diagnosis::Unknown => ("unknown", &[]),
        };
        DiagnosisReport {
            kind,
            summary: super::human::diagnosis_summary(diagnosis),
            early: matches!(diagnosis, Diagnosis::Deadlock { early: true, .. }),
            threads,
            stacks: match diagnosis {
                Diagnosis::Deadlock { stacks, .. }
                | Diagnosis::BusyLoop { stacks, .. }
                | Diagnosis::Waiting { stacks, .. } => Some(stacks),
                Diagnosis::Unknown => None,
            },
        }
    }
}
