//! Gradescope's `results.json` for one student: `score`, `execution_time`, `output`,
//! `tests[]` with `name`, `number`, `score`, `max_score`, `status` (`passed`/`failed`),
//! `output`, `tags`, `visibility` (Gradescope's autograder specification, "Output
//! format"). Each exercise is one test; a student who could not be graded gets a score of
//! 0 and the reason as the output, so they see it.

use serde::Serialize;

use super::seconds;
use crate::gradebook::{Gradebook, StudentGrades};

#[derive(Serialize)]
struct Results<'a> {
    score: u32,
    /// Seconds, as an integer.
    execution_time: u64,
    output: String,
    output_format: &'static str,
    visibility: &'static str,
    stdout_visibility: &'static str,
    tests: Vec<Test<'a>>,
}

#[derive(Serialize)]
struct Test<'a> {
    name: &'a str,
    number: String,
    score: u32,
    max_score: u32,
    status: &'static str,
    output: String,
    output_format: &'static str,
    tags: Vec<&'a str>,
    visibility: &'static str,
}

/// The results of the student at `index`.
pub fn render(book: &Gradebook, index: usize) -> Result<String, String> {
    let student: &StudentGrades = &book.students[index];
    let tests = book
        .assignment
        .iter()
        .enumerate()
        .map(|(number, assigned)| {
            let grade = student.grade(&assigned.exercise);
            let passed = grade.is_some_and(|grade| grade.passed());
            let output = match (grade, student.error()) {
                (_, Some(reason)) => format!("not graded: {reason}"),
                (None, None) => "not graded".to_owned(),
                (Some(grade), None) if grade.passed() => "passed".to_owned(),
                (Some(grade), None) => grade.failure_text(true),
            };
            Test {
                name: &assigned.exercise,
                number: (number + 1).to_string(),
                score: grade.map_or(0, |grade| grade.score),
                max_score: assigned.points,
                status: if passed { "passed" } else { "failed" },
                output,
                output_format: "text",
                tags: vec![assigned.topic.as_str()],
                visibility: "visible",
            }
        })
        .collect();
    let output = match student.error() {
        Some(reason) => format!("Your submission could not be graded: {reason}"),
        None => format!(
            "threadlings: {} of {} points ({:.1} s)",
            student.score(),
            book.max_score(),
            seconds(student.seconds)
        ),
    };
    let results = Results {
        score: student.score(),
        execution_time: student.seconds.round() as u64,
        output,
        output_format: "text",
        visibility: "visible",
        stdout_visibility: "hidden",
        tests,
    };
    serde_json::to_string_pretty(&results)
        .map(|text| text + "\n")
        .map_err(|err| err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradebook::tests::class;

    fn results(index: usize) -> serde_json::Value {
        serde_json::from_str(&render(&class(), index).unwrap()).unwrap()
    }

    /// serde_json's maps keep their keys sorted.
    fn sorted<const N: usize>(mut keys: [&'static str; N]) -> [&'static str; N] {
        keys.sort_unstable();
        keys
    }

    #[test]
    fn the_fields_are_gradescopes() {
        let ada = results(0);
        let keys: Vec<&str> = ada
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            sorted([
                "score",
                "execution_time",
                "output",
                "output_format",
                "visibility",
                "stdout_visibility",
                "tests"
            ])
        );
        assert_eq!(ada["score"], 4);
        assert_eq!(ada["execution_time"], 3);
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
                "number",
                "score",
                "max_score",
                "status",
                "output",
                "output_format",
                "tags",
                "visibility"
            ])
        );
        assert_eq!(test["name"], "threads1");
        assert_eq!(test["status"], "passed");
        assert_eq!(test["max_score"], 2);
        assert_eq!(test["tags"][0], "threads");
    }

    #[test]
    fn failures_say_why_and_flag_tampering() {
        let bob = results(1);
        assert_eq!(bob["score"], 0);
        assert_eq!(bob["tests"][0]["status"], "failed");
        let output = bob["tests"][0]["output"].as_str().unwrap();
        assert!(
            output.starts_with("timeout: timed out: deadlock"),
            "{output}"
        );
        let output = bob["tests"][1]["output"].as_str().unwrap();
        assert!(
            output.contains("flagged: test `tests::every_worker_runs_once` was deleted"),
            "{output}"
        );
        let cy = results(2);
        assert_eq!(cy["score"], 0);
        assert!(
            cy["output"]
                .as_str()
                .unwrap()
                .contains("could not be graded: not a checkout")
        );
        assert_eq!(
            cy["tests"].as_array().unwrap().len(),
            2,
            "every exercise, failed"
        );
        assert_eq!(cy["tests"][1]["status"], "failed");
    }
}
