//! What `dev check` finds wrong with the course: typed problems, each of a closed
//! [`ProblemKind`], about an exercise when it is about one, with the sentence an author
//! reads; and the [`CheckReport`] they end up in. Data only: the drivers (`devcheck`,
//! `variants`, `devcheck_model`) compute them, the sinks render them (human lines as they
//! come, one JSON document at the end).
//!
//! Must not: print, read files or start processes.

use std::fmt;

use serde::Serialize;

/// What kind of mistake in the course a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// `info.toml`, the manifests, the folders, the topic READMEs, the hints or a
    /// compile-fail lesson's cases disagree.
    Layout,
    /// A reference solution does not pass.
    SolutionFails,
    /// A stub fails for another reason than `info.toml`'s `stub` declares.
    StubVerdict,
    /// A time limit does not fit its solution's test time.
    TimeLimit,
    /// A solution did not pass every stress run.
    Flaky,
    /// A variant file (`solutions/<topic>/{wrong,alt}/`) breaks the conventions: its name,
    /// its first-line claim, a test module of its own, or it does not compile.
    Variant,
    /// An exercise has fewer wrong answers than the authoring standard asks.
    TooFewWrongAnswers,
    /// A wrong answer, or a weakening of a solution's orderings, was not rejected by the
    /// tests: it passed, or was rejected for another reason (tampering).
    WrongAnswerAccepted,
    /// An alternative, correct answer failed.
    AlternativeRejected,
}

/// One thing `dev check` found wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub kind: ProblemKind,
    /// The exercise it is about, when it is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exercise: Option<String>,
    /// What is wrong and what to do, in a sentence.
    pub message: String,
}

impl Problem {
    /// A problem with `exercise`.
    pub fn of(kind: ProblemKind, exercise: &str, message: String) -> Problem {
        Problem {
            kind,
            exercise: Some(exercise.to_owned()),
            message,
        }
    }

    /// A problem with the course as a whole (or a file no exercise owns).
    pub fn course(kind: ProblemKind, message: String) -> Problem {
        Problem {
            kind,
            exercise: None,
            message,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// What the check found, and how much it checked.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CheckReport {
    pub problems: Vec<Problem>,
    pub solutions_checked: usize,
    pub stubs_checked: usize,
    pub stress_runs: usize,
}

impl CheckReport {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_names_each_problem_by_kind_and_exercise() {
        let report = CheckReport {
            problems: vec![
                Problem::of(
                    ProblemKind::WrongAnswerAccepted,
                    "threads1",
                    "wrong answer `threads1_sequential` passed".to_owned(),
                ),
                Problem::course(ProblemKind::Layout, "info.toml lists `x`".to_owned()),
            ],
            solutions_checked: 2,
            ..CheckReport::default()
        };
        assert!(!report.is_clean());
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["problems"][0]["kind"], "wrong_answer_accepted");
        assert_eq!(json["problems"][0]["exercise"], "threads1");
        assert!(json["problems"][1].get("exercise").is_none(), "{json}");
        assert_eq!(json["solutions_checked"], 2);
        assert_eq!(report.problems[1].to_string(), "info.toml lists `x`");
    }
}
