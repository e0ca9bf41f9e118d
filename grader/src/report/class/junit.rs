//! `junit.xml`, for CI dashboards: `testsuites` > a `testsuite` per student > a `testcase`
//! per exercise (classname `<student>.<topic>`), with a `failure` (type: the verdict,
//! message: why, text: the details) for each exercise that did not pass, and an `error`
//! case for a student who could not be graded. Written by `quick-junit`.

use std::time::Duration;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use crate::gradebook::Gradebook;

pub fn render(book: &Gradebook) -> Result<String, String> {
    let mut report = Report::new("threadlings");
    report.set_time(Duration::from_secs_f64(book.seconds.max(0.0)));
    for student in &book.students {
        let mut suite = TestSuite::new(student.student.as_str());
        suite.set_time(Duration::from_secs_f64(student.seconds.max(0.0)));
        if let Some(reason) = student.error() {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status.set_type("not_graded").set_message(reason);
            suite.add_test_case(TestCase::new("grading", status));
        }
        for assigned in &book.assignment {
            let Some(grade) = student.grade(&assigned.exercise) else {
                continue;
            };
            let status = if grade.passed() {
                TestCaseStatus::success()
            } else {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status
                    .set_type(grade.verdict.as_str())
                    .set_message(grade.message.as_str());
                let mut details: Vec<String> = grade
                    .flags
                    .iter()
                    .map(|flag| format!("flagged: {flag}"))
                    .collect();
                if !grade.output.is_empty() {
                    details.push(grade.output.clone());
                }
                if !details.is_empty() {
                    status.set_description(details.join("\n"));
                }
                status
            };
            let mut case = TestCase::new(assigned.exercise.as_str(), status);
            case.set_classname(format!("{}.{}", student.student, assigned.topic))
                .set_time(Duration::from_secs_f64(grade.seconds.max(0.0)));
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    report.to_string().map_err(|err| err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradebook::tests::class;

    #[test]
    fn a_testsuite_per_student_and_a_testcase_per_exercise() {
        let xml = render(&class()).unwrap();
        assert!(
            xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
            "{xml}"
        );
        assert!(xml.contains("<testsuites name=\"threadlings\" tests=\"5\" skipped=\"0\" failures=\"2\" errors=\"1\""), "{xml}");
        assert!(
            xml.contains(
                "<testsuite name=\"ada\" tests=\"2\" skipped=\"0\" errors=\"0\" failures=\"0\""
            ),
            "{xml}"
        );
        assert!(
            xml.contains("<testcase name=\"threads1\" classname=\"ada.threads\" time=\"1.500\"/>"),
            "{xml}"
        );
        // Escaped, with the verdict as the failure's type.
        assert!(xml.contains("<testsuite name=\"bob &lt;b&gt;\""), "{xml}");
        assert!(xml.contains("<failure message=\"timed out: deadlock in tests::workers_run_at_the_same_time\" type=\"timeout\">"), "{xml}");
        assert!(xml.contains("&lt;&amp;&quot;quoted&quot;&gt;"), "{xml}");
        assert!(
            xml.contains("flagged: test `tests::every_worker_runs_once` was deleted"),
            "{xml}"
        );
        assert!(xml.contains("<error message=\"not a checkout of the course: no exercises/ folder\" type=\"not_graded\"/>"), "{xml}");
    }

    /// The structure of the common JUnit schema (the one CI dashboards read): `testsuites`
    /// holds `testsuite`s, which hold `testcase`s, which hold `failure`, `error`,
    /// `skipped`, `system-out` or `system-err`; the required attributes are
    /// there; and every count attribute is the count of what it counts.
    #[test]
    fn the_report_has_the_structure_of_the_junit_schema() {
        use quick_xml::events::Event;
        let xml = render(&class()).unwrap();
        let mut reader = quick_xml::Reader::from_str(&xml);
        let mut path: Vec<String> = Vec::new();
        // Per open testsuite: (declared tests, failures, errors), and what was found.
        let mut suites: Vec<([usize; 3], [usize; 3])> = Vec::new();
        let mut top = [0usize; 3];
        let mut declared_top = None;
        loop {
            let event = reader.read_event().unwrap();
            let (element, empty) = match &event {
                Event::Start(element) => (Some(element.clone()), false),
                Event::Empty(element) => (Some(element.clone()), true),
                Event::End(_) => {
                    if path.pop().as_deref() == Some("testsuite") {
                        let (declared, found) = suites.pop().unwrap();
                        assert_eq!(declared, found, "a testsuite's counts: {xml}");
                    }
                    (None, false)
                }
                Event::Eof => break,
                _ => (None, false),
            };
            let Some(element) = element else {
                continue;
            };
            let name = String::from_utf8(element.name().as_ref().to_vec()).unwrap();
            let attr = |key: &str| {
                element
                    .try_get_attribute(key)
                    .unwrap()
                    .map(|value| String::from_utf8(value.value.to_vec()).unwrap())
            };
            let count = |key: &str| attr(key).map_or(0, |value| value.parse::<usize>().unwrap());
            let parent = path.last().map(String::as_str);
            let allowed = match name.as_str() {
                "testsuites" => parent.is_none(),
                "testsuite" => parent == Some("testsuites"),
                "testcase" => parent == Some("testsuite"),
                "failure" | "error" | "skipped" | "system-out" | "system-err" => {
                    parent == Some("testcase")
                }
                _ => false,
            };
            assert!(allowed, "<{name}> inside {parent:?}: {xml}");
            match name.as_str() {
                "testsuites" => {
                    declared_top = Some([count("tests"), count("failures"), count("errors")])
                }
                "testsuite" => {
                    assert!(attr("name").is_some(), "a testsuite needs a name");
                    suites.push(([count("tests"), count("failures"), count("errors")], [0; 3]));
                }
                "testcase" => {
                    assert!(attr("name").is_some(), "a testcase needs a name");
                    suites.last_mut().unwrap().1[0] += 1;
                    top[0] += 1;
                }
                "failure" => {
                    assert!(attr("type").is_some() && attr("message").is_some());
                    suites.last_mut().unwrap().1[1] += 1;
                    top[1] += 1;
                }
                "error" => {
                    suites.last_mut().unwrap().1[2] += 1;
                    top[2] += 1;
                }
                _ => {}
            }
            if !empty {
                path.push(name);
            }
        }
        assert_eq!(declared_top, Some(top), "the testsuites' counts: {xml}");
        assert_eq!(top, [5, 2, 1]);
    }
}
