//! GitHub Classroom's autograding result for one student: the `version: 1` JSON that its
//! grading reporter (`classroom-resources/autograding-grading-reporter`) reads, base64
//! encoded, from a runner's `result` output: `status`, `max_score`, `tests[]` with
//! `name`, `status` (`pass`/`fail`/`error`), `score`, `message`, `test_code`, `filename`,
//! `line_no`, `duration` (milliseconds). README.md shows the workflow that feeds it.

use serde::Serialize;

use crate::gradebook::{Gradebook, StudentGrades};
use crate::verdict::VerdictKind;

#[derive(Serialize)]
struct Result<'a> {
    version: u32,
    status: &'static str,
    max_score: u32,
    tests: Vec<Test<'a>>,
}

#[derive(Serialize)]
struct Test<'a> {
    name: &'a str,
    status: &'static str,
    score: u32,
    message: String,
    test_code: String,
    filename: String,
    line_no: u32,
    duration: u64,
}

/// The result of the student at `index`.
pub fn render(book: &Gradebook, index: usize) -> std::result::Result<String, String> {
    let student: &StudentGrades = &book.students[index];
    let tests: Vec<Test<'_>> = book
        .assignment
        .iter()
        .map(|assigned| {
            let grade = student.grade(&assigned.exercise);
            let (status, message) = match (grade, student.error()) {
                (_, Some(reason)) => ("error", format!("not graded: {reason}")),
                (None, None) => ("error", "not graded".to_owned()),
                (Some(grade), None) => (
                    match grade.verdict {
                        VerdictKind::Pass => "pass",
                        VerdictKind::CompileError => "error",
                        _ => "fail",
                    },
                    grade.failure_text(false),
                ),
            };
            Test {
                name: &assigned.exercise,
                status,
                score: grade.map_or(0, |grade| grade.score),
                message,
                test_code: format!("threadlings run {}", assigned.exercise),
                filename: assigned.file.clone(),
                line_no: 0,
                duration: grade.map_or(0, |grade| (grade.seconds * 1000.0).round() as u64),
            }
        })
        .collect();
    let status = if student.error().is_some() {
        "error"
    } else if tests.iter().all(|test| test.status == "pass") {
        "pass"
    } else {
        "fail"
    };
    let result = Result {
        version: 1,
        status,
        max_score: book.max_score(),
        tests,
    };
    serde_json::to_string_pretty(&result)
        .map(|text| text + "\n")
        .map_err(|err| err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradebook::tests::class;

    fn result(index: usize) -> serde_json::Value {
        serde_json::from_str(&render(&class(), index).unwrap()).unwrap()
    }

    /// serde_json's maps keep their keys sorted.
    fn sorted<const N: usize>(mut keys: [&'static str; N]) -> [&'static str; N] {
        keys.sort_unstable();
        keys
    }

    #[test]
    fn the_fields_are_the_grading_reporters() {
        let ada = result(0);
        let keys: Vec<&str> = ada
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, sorted(["version", "status", "max_score", "tests"]));
        assert_eq!(ada["version"], 1);
        assert_eq!(ada["status"], "pass");
        assert_eq!(ada["max_score"], 4);
        let test = &ada["tests"][0];
        let keys: Vec<&str> = test
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            sorted([
                "name",
                "status",
                "score",
                "message",
                "test_code",
                "filename",
                "line_no",
                "duration"
            ])
        );
        assert_eq!(test["status"], "pass");
        assert_eq!(test["score"], 2);
        assert_eq!(test["duration"], 1500);
        assert_eq!(test["filename"], "exercises/01_threads/threads1.rs");
    }

    #[test]
    fn failures_and_ungraded_students_say_why() {
        let bob = result(1);
        assert_eq!(bob["status"], "fail");
        assert_eq!(bob["tests"][0]["status"], "fail");
        assert!(
            bob["tests"][1]["message"]
                .as_str()
                .unwrap()
                .contains("flagged:")
        );
        let cy = result(2);
        assert_eq!(cy["status"], "error");
        assert_eq!(cy["tests"][0]["status"], "error");
        assert_eq!(cy["tests"][0]["score"], 0);
    }
}
