//! Why a run proves nothing: the typed findings behind a `tampered` verdict, and the flags
//! classroom grading raises for the instructor. Data with a sentence each (`Display`, the
//! words every human rendering uses); the sinks choose how to show them, and the JSON
//! ones carry the fields as they are.
//!
//! Must not: print, read files or start processes.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::forbid::ForbiddenUse;
use crate::tamper::Tampering;

/// How many changes to the tests a [`Finding::TestsReplaced`] names before counting the
/// rest.
const CHANGES_NAMED: usize = 3;

/// One reason a grade cannot be trusted as the tests' own result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Finding {
    /// The file departs from the pristine tests, or surrounds them with code that changes
    /// what they mean (found before anything runs).
    Tests { change: Tampering },
    /// Classroom grading put the course's tests back in place of the student's: what the
    /// student had changed in them (their code was graded with the course's tests).
    TestsReplaced { changes: Vec<Tampering> },
    /// The test process exited with status 0 before `unreported` reported a result
    /// (`std::process::exit` ends every test at once), `during` the test that was running.
    ExitedEarly {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        during: Option<String>,
        unreported: Vec<String>,
    },
    /// Every test reported, one of them failed, and yet the process exited with status 0.
    SucceededDespiteFailure,
    /// libtest finished normally without running `tests`: they were filtered out or
    /// ignored.
    NotRun { tests: Vec<String> },
    /// A use classroom grading forbids (found by the compiler, with its line).
    Forbidden(ForbiddenUse),
    /// Synchronisation from `std` in a model-checked lesson: the model checker cannot see
    /// it, so its tests would check nothing.
    UnseenByModel {
        /// The path as written (`std::sync::atomic::AtomicBool`).
        path: String,
        line: usize,
        /// What to use instead.
        facade: String,
    },
}

impl Finding {
    /// The machine-readable name of the finding, as in the JSON output.
    pub fn kind(&self) -> &'static str {
        match self {
            Finding::Tests { .. } => "tests",
            Finding::TestsReplaced { .. } => "tests_replaced",
            Finding::ExitedEarly { .. } => "exited_early",
            Finding::SucceededDespiteFailure => "succeeded_despite_failure",
            Finding::NotRun { .. } => "not_run",
            Finding::Forbidden(_) => "forbidden",
            Finding::UnseenByModel { .. } => "unseen_by_model",
        }
    }

    /// The line of the learner's file it is about, when it is about one.
    pub fn line(&self) -> Option<usize> {
        match self {
            Finding::Tests {
                change: Tampering::Shadows { line, .. } | Tampering::Linkage { line, .. },
            }
            | Finding::UnseenByModel { line, .. } => Some(*line),
            Finding::Forbidden(forbidden) => Some(forbidden.line),
            _ => None,
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Finding::Tests { change } => write!(f, "{change}"),
            Finding::TestsReplaced { changes } => {
                let (named, rest) = changes.split_at(changes.len().min(CHANGES_NAMED));
                let named: Vec<String> = named.iter().map(ToString::to_string).collect();
                write!(
                    f,
                    "the tests were changed (graded with the course's): {}",
                    named.join("; ")
                )?;
                if !rest.is_empty() {
                    write!(f, "; and {} more change(s)", rest.len())?;
                }
                Ok(())
            }
            Finding::ExitedEarly { during, unreported } => {
                let during = during
                    .as_deref()
                    .map_or_else(String::new, |name| format!(" during test `{name}`"));
                write!(
                    f,
                    "the test process exited with status 0{during} before {} reported a \
                     result: `std::process::exit` ends every test at once, so nothing was \
                     proven",
                    test_list(unreported)
                )
            }
            Finding::SucceededDespiteFailure => {
                write!(
                    f,
                    "the test process exited with status 0 although a test failed"
                )
            }
            Finding::NotRun { tests } => write!(f, "{} did not run", test_list(tests)),
            Finding::Forbidden(forbidden) => write!(f, "{forbidden}"),
            Finding::UnseenByModel { path, line, facade } => write!(
                f,
                "line {line}: `{path}` is invisible to the model checker, so it would check \
                 nothing; use `{facade}`"
            ),
        }
    }
}

/// `test `a``, `tests `a`, `b``.
fn test_list(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
    match quoted.as_slice() {
        [] => "no test".to_owned(),
        [one] => format!("test {one}"),
        many => format!("tests {}", many.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finding_says_what_happened_and_keeps_its_fields_in_json() {
        let early = Finding::ExitedEarly {
            during: Some("tests::a".to_owned()),
            unreported: vec!["tests::a".to_owned(), "tests::b".to_owned()],
        };
        assert!(
            early
                .to_string()
                .starts_with("the test process exited with status 0 during test `tests::a` before tests `tests::a`, `tests::b` reported"),
            "{early}"
        );
        let json = serde_json::to_value(&early).unwrap();
        assert_eq!(json["kind"], "exited_early");
        assert_eq!(json["unreported"][1], "tests::b");
        assert_eq!(json["kind"], early.kind());

        let replaced = Finding::TestsReplaced {
            changes: (1..=5)
                .map(|n| Tampering::Removed {
                    item: format!("test `t{n}`"),
                })
                .collect(),
        };
        assert_eq!(
            replaced.to_string(),
            "the tests were changed (graded with the course's): test `t1` was deleted or \
             renamed; test `t2` was deleted or renamed; test `t3` was deleted or renamed; \
             and 2 more change(s)"
        );
        let json = serde_json::to_value(&replaced).unwrap();
        assert_eq!(json["changes"][4]["kind"], "removed");
    }

    #[test]
    fn every_finding_round_trips_through_json() {
        let all = [
            Finding::Tests {
                change: Tampering::Shadows {
                    item: "macro `assert`".to_owned(),
                    name: "assert".to_owned(),
                    line: 3,
                },
            },
            Finding::TestsReplaced {
                changes: vec![Tampering::MissingTestModule {
                    module: "tests".to_owned(),
                }],
            },
            Finding::ExitedEarly {
                during: None,
                unreported: vec!["tests::a".to_owned()],
            },
            Finding::SucceededDespiteFailure,
            Finding::NotRun {
                tests: vec!["tests::a".to_owned()],
            },
            Finding::Forbidden(ForbiddenUse {
                item: "std::process::exit".to_owned(),
                line: 7,
                why: "ends the tests".to_owned(),
            }),
            Finding::UnseenByModel {
                path: "std::sync::atomic::AtomicBool".to_owned(),
                line: 2,
                facade: "threadlings_testkit::sync::atomic::AtomicBool".to_owned(),
            },
        ];
        for finding in all {
            let json = serde_json::to_string(&finding).unwrap();
            assert!(
                json.contains(&format!("\"kind\":\"{}\"", finding.kind())),
                "{json}"
            );
            let back: Finding = serde_json::from_str(&json).unwrap();
            assert_eq!(back, finding);
        }
    }

    #[test]
    fn findings_about_a_line_say_which() {
        let forbidden = Finding::Forbidden(ForbiddenUse {
            item: "unsafe".to_owned(),
            line: 12,
            why: "breaks the rules".to_owned(),
        });
        assert_eq!(forbidden.line(), Some(12));
        assert_eq!(Finding::SucceededDespiteFailure.line(), None);
        assert_eq!(test_list(&[]), "no test");
    }
}
