//! A class's grades: what `threadlings grade` computes for every student, before any
//! report is written. Pure data with its arithmetic (scores, totals, pass rates); the
//! report formats (`report/class/`) only read it, and `merge-reports` reads it back from
//! the JSON report, so it round-trips through serde.

use serde::{Deserialize, Serialize};

use crate::finding::Finding;
use crate::verdict::VerdictKind;

/// The grades of every student of one grading run (or of several merged partitions).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Gradebook {
    /// The exercises graded, in course order, with what each is worth.
    pub assignment: Vec<Assigned>,
    /// Every student, in the order their folders sort.
    pub students: Vec<StudentGrades>,
    /// What the sandbox enforced on student code, one line each.
    pub sandbox: Vec<String>,
    /// Wall-clock seconds the whole run took (the sum over partitions once merged).
    pub seconds: f64,
}

/// What happens while a class is graded, for a progress display (the drivers tell it;
/// the sinks show it).
#[derive(Clone, Debug)]
pub enum Progress<'a> {
    /// A student's grades are in: `done` of `total`; `cached`: all kept from an earlier
    /// run.
    Graded {
        student: &'a StudentGrades,
        done: usize,
        total: usize,
        cached: bool,
    },
}

/// One exercise of the assignment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assigned {
    pub exercise: String,
    pub topic: String,
    /// The student's file, relative to their checkout: `exercises/<dir>/<name>.rs`.
    pub file: String,
    pub points: u32,
}

/// One student's grades, or why they could not be graded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StudentGrades {
    /// The student's id: their folder's name, unless configured otherwise.
    pub student: String,
    #[serde(flatten)]
    pub outcome: StudentOutcome,
    /// Seconds spent grading this student.
    pub seconds: f64,
}

/// Whether a student was graded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum StudentOutcome {
    /// Every assigned exercise has a grade (a missing file is graded, as a failure).
    Graded { exercises: Vec<ExerciseGrade> },
    /// The submission could not be graded at all: not a checkout of the course, say.
    Error { reason: String },
}

/// One exercise of one student.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExerciseGrade {
    pub exercise: String,
    pub verdict: VerdictKind,
    pub score: u32,
    pub max_score: u32,
    /// One line for the instructor: what failed and why, or empty when it passed.
    pub message: String,
    /// The details behind the message (compiler errors, the failing tests' output).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub output: String,
    pub tests: Vec<TestGrade>,
    /// What the student changed in the tests, or used that no exercise needs, with the
    /// line: flagged to the instructor whatever the verdict.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<Finding>,
    pub seconds: f64,
}

/// One test of one exercise.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TestGrade {
    pub name: String,
    pub status: TestStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<f64>,
}

/// How one test ended, in the words report formats share.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TestStatus {
    Passed,
    Failed,
    /// It never ran to an end: the process hung or died, or never got to it.
    NotRun,
}

impl ExerciseGrade {
    pub fn passed(&self) -> bool {
        self.verdict == VerdictKind::Pass
    }

    /// What a student reads about a grade that is not a pass: the verdict and why, each
    /// flag, and (`with_details`) the details. Empty for a pass.
    pub fn failure_text(&self, with_details: bool) -> String {
        if self.passed() {
            return String::new();
        }
        let mut text = format!("{}: {}", self.verdict.as_str(), self.message);
        for flag in &self.flags {
            text.push_str(&format!("\nflagged: {flag}"));
        }
        if with_details && !self.output.is_empty() {
            text.push_str("\n\n");
            text.push_str(&self.output);
        }
        text
    }
}

impl StudentGrades {
    /// The exercises graded (none for a student who could not be graded).
    pub fn exercises(&self) -> &[ExerciseGrade] {
        match &self.outcome {
            StudentOutcome::Graded { exercises } => exercises,
            StudentOutcome::Error { .. } => &[],
        }
    }

    /// The grade of `exercise`, if it was graded.
    pub fn grade(&self, exercise: &str) -> Option<&ExerciseGrade> {
        self.exercises()
            .iter()
            .find(|grade| grade.exercise == exercise)
    }

    pub fn score(&self) -> u32 {
        self.exercises().iter().map(|grade| grade.score).sum()
    }

    pub fn error(&self) -> Option<&str> {
        match &self.outcome {
            StudentOutcome::Graded { .. } => None,
            StudentOutcome::Error { reason } => Some(reason),
        }
    }
}

impl Gradebook {
    /// What the assignment is worth in all.
    pub fn max_score(&self) -> u32 {
        self.assignment.iter().map(|assigned| assigned.points).sum()
    }

    /// How many of the graded students passed `exercise`, and how many were graded.
    pub fn pass_count(&self, exercise: &str) -> (usize, usize) {
        let graded: Vec<&ExerciseGrade> = self
            .students
            .iter()
            .filter_map(|student| student.grade(exercise))
            .collect();
        (
            graded.iter().filter(|grade| grade.passed()).count(),
            graded.len(),
        )
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A small class for the report formats' tests: one student who passed everything,
    /// one who did half and tampered with a test, one who could not be graded.
    pub(crate) fn class() -> Gradebook {
        let grade = |exercise: &str, verdict: VerdictKind, message: &str| {
            let passed = verdict == VerdictKind::Pass;
            ExerciseGrade {
                exercise: exercise.to_owned(),
                verdict,
                score: if passed { 2 } else { 0 },
                max_score: 2,
                message: message.to_owned(),
                output: if passed {
                    String::new()
                } else {
                    format!("{message}\n  at src/{exercise}.rs:12 <&\"quoted\">")
                },
                tests: vec![
                    TestGrade {
                        name: "tests::workers_run_at_the_same_time".to_owned(),
                        status: if passed {
                            TestStatus::Passed
                        } else {
                            TestStatus::Failed
                        },
                        seconds: Some(0.25),
                    },
                    TestGrade {
                        name: "tests::every_worker_runs_once".to_owned(),
                        status: if passed {
                            TestStatus::Passed
                        } else {
                            TestStatus::NotRun
                        },
                        seconds: None,
                    },
                ],
                flags: if verdict == VerdictKind::Tampered {
                    vec![Finding::Tests {
                        change: crate::tamper::Tampering::Removed {
                            item: "test `tests::every_worker_runs_once`".to_owned(),
                        },
                    }]
                } else {
                    Vec::new()
                },
                seconds: 1.5,
            }
        };
        Gradebook {
            assignment: vec![
                Assigned {
                    exercise: "threads1".to_owned(),
                    topic: "threads".to_owned(),
                    file: "exercises/01_threads/threads1.rs".to_owned(),
                    points: 2,
                },
                Assigned {
                    exercise: "mpsc1".to_owned(),
                    topic: "message passing".to_owned(),
                    file: "exercises/05_message_passing/mpsc1.rs".to_owned(),
                    points: 2,
                },
            ],
            students: vec![
                StudentGrades {
                    student: "ada".to_owned(),
                    outcome: StudentOutcome::Graded {
                        exercises: vec![
                            grade("threads1", VerdictKind::Pass, ""),
                            grade("mpsc1", VerdictKind::Pass, ""),
                        ],
                    },
                    seconds: 3.0,
                },
                StudentGrades {
                    student: "bob <b>".to_owned(),
                    outcome: StudentOutcome::Graded {
                        exercises: vec![
                            grade(
                                "threads1",
                                VerdictKind::Timeout,
                                "timed out: deadlock in tests::workers_run_at_the_same_time",
                            ),
                            grade("mpsc1", VerdictKind::Tampered, "the tests were changed"),
                        ],
                    },
                    seconds: 12.5,
                },
                StudentGrades {
                    student: "cy".to_owned(),
                    outcome: StudentOutcome::Error {
                        reason: "not a checkout of the course: no exercises/ folder".to_owned(),
                    },
                    seconds: 0.0,
                },
            ],
            sandbox: vec!["landlock: enforced".to_owned()],
            seconds: 16.0,
        }
    }

    #[test]
    fn scores_totals_and_pass_rates_add_up() {
        let class = class();
        assert_eq!(class.max_score(), 4);
        let scores: Vec<u32> = class.students.iter().map(StudentGrades::score).collect();
        assert_eq!(scores, [4, 0, 0]);
        assert_eq!(class.pass_count("threads1"), (1, 2));
        assert_eq!(class.pass_count("nothing"), (0, 0));
        assert_eq!(
            class.students[2].error(),
            Some("not a checkout of the course: no exercises/ folder")
        );
        assert!(class.students[2].exercises().is_empty());
    }

    #[test]
    fn the_json_form_round_trips() {
        let class = class();
        let text = serde_json::to_string_pretty(&class).unwrap();
        let back: Gradebook = serde_json::from_str(&text).unwrap();
        assert_eq!(back, class);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["students"][0]["status"], "graded");
        assert_eq!(value["students"][1]["exercises"][0]["verdict"], "timeout");
        assert_eq!(value["students"][2]["status"], "error");
    }
}
