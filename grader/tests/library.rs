//! The grader as a library, driven the way a classroom service or an editor would: the
//! engine grading a submission against a course that is not the submission's own tree,
//! and a report format that this file adds (a sink and its `Format`, nothing else).
//!
//! No libtest harness (`harness = false`): cargo builds learner code with the grader's
//! own executable as the rustc wrapper (`run::rustc`), so, like `main.rs`, this binary
//! first hands over to [`run::rustc::wrap_if_asked`] when cargo started it for that.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};

use threadlings::build::Cargo;
use threadlings::course::{Course, Side};
use threadlings::engine::{Engine, Event, Listen, Listener};
use threadlings::report::{Format, Out, Reporter, Shape, Sink};
use threadlings::run;
use threadlings::submission::Submission;
use threadlings::verdict::VerdictKind;

/// A format of one line per verdict: one sink, registered below by [`Format::new`].
struct VerdictLines;

impl Sink for VerdictLines {
    fn event(&self, out: &Out, event: &Event<'_>) {
        if let Event::Graded { exercise, graded } = event {
            out.print(&format!(
                "{} {}\n",
                exercise.name,
                graded.verdict().kind().as_str()
            ));
        }
    }
}

const VERDICT_LINES: Format = Format::new("verdict-lines", || Box::new(VerdictLines));

/// What the reporter printed, kept for the test to read.
#[derive(Clone, Default)]
struct Printed(Arc<Mutex<Vec<u8>>>);

impl Write for Printed {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Printed {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(PoisonError::into_inner)).into()
    }
}

fn main() -> ExitCode {
    if let Some(code) = run::rustc::wrap_if_asked() {
        return code;
    }
    a_submission_is_graded_against_the_course_s_tests_not_its_own();
    println!("library: 1 passed");
    ExitCode::SUCCESS
}

/// The submission deleted a test from its exercise *and* from its own `solutions/`: a
/// grader that took the reference tests from the submission would see nothing missing.
/// The engine takes them from the course, and the added format reports the verdict.
fn a_submission_is_graded_against_the_course_s_tests_not_its_own() {
    let course_root = copy_of_fixture("library-course");
    let submission_root = copy_of_fixture("library-submission");
    for side in ["exercises", "solutions"] {
        let file = submission_root.join(side).join("outcomes/pass.rs");
        let text = fs::read_to_string(&file).unwrap();
        let without_second = text.replace(
            "    #[test]\n    fn second() {\n        assert!(work() > 0);\n    }\n",
            "",
        );
        assert_ne!(text, without_second, "{}", file.display());
        fs::write(&file, without_second).unwrap();
    }

    let course = Course::load(&course_root).unwrap();
    let mut engine = Engine::new(&course, Cargo::detect(false), false);
    engine.submission = Submission::at(submission_root);
    let printed = Printed::default();
    let reporter = Reporter::writing_to(VERDICT_LINES, Out::to(Box::new(printed.clone())));
    let pass = course.exercise("pass").unwrap();

    // The reporter hears the engine's events; so does a listener of the test's own.
    let heard: Mutex<Vec<String>> = Mutex::default();
    let both = Listen(|event: &Event<'_>| {
        reporter.event(event);
        heard
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(match event {
                Event::BuildStarted { .. } => "build started".to_owned(),
                Event::BuildFinished { .. } => "build finished".to_owned(),
                Event::TestStarted { test, .. } => format!("test started {test}"),
                Event::TestFinished { test, .. } => format!("test finished {test}"),
                Event::Notice { note, .. } => format!("notice {note}"),
                Event::Graded { exercise, .. } => format!("graded {}", exercise.name),
            });
    });
    let graded = engine.grade_one(pass, Side::Exercise, &both).unwrap();
    reporter.finish(&[(pass, &graded)], Shape::One);

    assert_eq!(graded.verdict().kind(), VerdictKind::Tampered, "{graded:?}");
    assert_eq!(printed.text(), "pass tampered\n");
    // Built, then judged without a run (the tests were changed): every note of the
    // verdict told before it (this copy of the course is not committed: its tests were
    // read from the working tree, which is worth a note).
    assert!(!graded.notes.is_empty(), "{graded:?}");
    let mut expected = vec!["build started".to_owned(), "build finished".to_owned()];
    expected.extend(graded.notes.iter().map(|note| format!("notice {note}")));
    expected.push("graded pass".to_owned());
    assert_eq!(
        heard.into_inner().unwrap_or_else(PoisonError::into_inner),
        expected
    );
}

/// A copy of the fixture course under the test's scratch directory (its `target/` kept
/// between runs), its manifests pointing at the testkit.
fn copy_of_fixture(name: &str) -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("library-courses")
        .join(name);
    if let Ok(entries) = fs::read_dir(&root) {
        for entry in entries.flatten() {
            if entry.file_name() != "target" {
                let path = entry.path();
                if path.is_dir() {
                    fs::remove_dir_all(&path).unwrap();
                } else {
                    fs::remove_file(&path).unwrap();
                }
            }
        }
    }
    copy_tree(&manifest_dir.join("tests/fixtures/course"), &root);
    let testkit = manifest_dir.join("testkit");
    for manifest in ["exercises/Cargo.toml", "solutions/Cargo.toml"] {
        let path = root.join(manifest);
        let text = fs::read_to_string(&path).unwrap();
        let pointed = text.replace(
            "path = \"../../../../testkit\"",
            &format!("path = {:?}", testkit.display().to_string()),
        );
        fs::write(&path, pointed).unwrap();
    }
    fs::copy(manifest_dir.join("../Cargo.lock"), root.join("Cargo.lock")).unwrap();
    root
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}
