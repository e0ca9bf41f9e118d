//! Grading compile-fail (Send/Sync) lessons through trybuild.
//!
//! The learner's file is staged as `lesson.rs` next to the lesson's own snippets
//! (`grader/ui-harness/cases/NAME/{pass,fail}/*.rs`), which include it by path; the
//! harness then checks that every `pass` snippet compiles and runs and every `fail`
//! snippet fails to compile with exactly its blessed `.stderr`. The stage has one fixed
//! path per lesson, so the diagnostics read the same whoever wrote the file, and trybuild
//! hides the line numbers of `lesson.rs`: the expected errors depend only on the code
//! the lesson owns.
//!
//! Must not: print, or start a process but through `run`; it writes only its own stage
//! under the target directory.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::build::Cargo;
use crate::course::{Course, Exercise};
use crate::error::Error;
use crate::run::{self, Exit, Spec};
use crate::submission::Submission;
use crate::verdict::{self, Judgement, TestOutcome, TestResult, Verdict};

/// What one harness run found.
pub struct HarnessRun {
    pub judgement: Judgement,
    pub notes: Vec<String>,
    pub duration: Duration,
}

/// Whether the harness checks the expectations or rewrites them (`dev bless`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expectations {
    Check,
    Bless,
}

/// Grades `source` (the learner's or the solution's file) against the lesson's cases:
/// the course's cases, staged and checked in `submission`'s tree with its harness.
pub fn grade(
    course: &Course,
    submission: &Submission,
    cargo: &Cargo,
    exercise: &Exercise,
    source: &str,
    expectations: Expectations,
) -> Result<HarnessRun, Error> {
    let harness = cargo.build_ui_harness(course, submission)?;
    let stage_root = submission.ui_stage_dir();
    fs::create_dir_all(&stage_root)
        .map_err(Error::io(format!("create {}", stage_root.display())))?;
    // One stage per lesson, one grader in it at a time.
    let lock_path = stage_root.join(format!("{}.lock", exercise.name));
    let lock =
        File::create(&lock_path).map_err(Error::io(format!("create {}", lock_path.display())))?;
    lock.lock()
        .map_err(Error::io(format!("lock {}", lock_path.display())))?;
    let stage = stage_root.join(&exercise.name);
    stage_lesson(&course.ui_cases_dir(exercise), &stage, source)?;

    let spec = harness_spec(course, submission, cargo, harness, exercise, expectations)?;
    let output = run::run(&spec).map_err(|err| Error::Tool(err.to_string()))?;
    let report = format!("{}{}", output.stdout.text(), output.stderr.text());
    let tests = parse_report(&report);
    let verdict = match &output.exit {
        Exit::Code(0) => Verdict::Pass,
        Exit::Code(_) if tests.iter().any(|test| test.outcome == TestOutcome::Failed) => {
            Verdict::TestFailed
        }
        Exit::Code(code) => {
            return Err(Error::Tool(format!(
                "the compile-fail harness failed (exit status {code}):\n{}",
                report.trim_end()
            )));
        }
        Exit::Cancelled => return Err(Error::Cancelled),
        ended => verdict::ended_early(ended, None, exercise.timeout, &output.stderr.text())
            .ok_or(Error::Cancelled)?,
    };
    if expectations == Expectations::Bless {
        copy_blessed(
            &stage.join("fail"),
            &course.ui_cases_dir(exercise).join("fail"),
        )?;
    }
    let mut notes = Vec::new();
    if !verdict.passed()
        && let Some(note) = toolchain_note(course, cargo)
    {
        notes.push(note);
    }
    Ok(HarnessRun {
        judgement: Judgement { verdict, tests },
        notes,
        duration: output.duration,
    })
}

/// How the harness runs one lesson: from `submission`'s harness folder, building in its
/// target, with the course's compile-time bounds, and under the cargo's confinement when
/// it has one (a classroom's): the harness runs the lesson's `pass` cases, which are the
/// submission's code.
fn harness_spec(
    course: &Course,
    submission: &Submission,
    cargo: &Cargo,
    harness: PathBuf,
    exercise: &Exercise,
    expectations: Expectations,
) -> Result<Spec, Error> {
    let mut spec = Spec::new(harness, exercise.timeout)
        .env("THREADLINGS_UI_DIR", relative_to_harness(&exercise.name))
        .env("CARGO_MANIFEST_DIR", submission.ui_harness_dir())
        .env("CARGO", cargo.program())
        .env("CARGO_TARGET_DIR", submission.target_dir())
        // The harness ends with a panic when a case fails; its backtrace helps nobody.
        .env("RUST_BACKTRACE", "0");
    if !cargo.color {
        spec = spec.env("NO_COLOR", "1");
    }
    spec = match expectations {
        Expectations::Check => spec.env_remove("TRYBUILD"),
        Expectations::Bless => spec.env("TRYBUILD", "overwrite"),
    };
    spec.cwd = Some(submission.ui_harness_dir());
    spec.cancel.clone_from(&cargo.cancel);
    if let Some(confine) = &cargo.confine {
        spec.confine = Some((**confine).clone());
    }
    // A case that forks and leaves its session must still end with the run.
    spec.isolate = true;
    crate::build::bound_compilers(&mut spec, course)?;
    Ok(spec)
}

/// The stage as the harness sees it: relative, so trybuild prints (and the `.stderr`
/// files contain) the same short path on every machine.
fn relative_to_harness(name: &str) -> PathBuf {
    Path::new("../../.threadlings/ui").join(name)
}

/// Lays out the stage: the lesson's cases and the learner's file as `lesson.rs`. Files
/// that are already there with the same contents are left alone, so their timestamps
/// stay and trybuild's cargo does not rebuild what did not change.
fn stage_lesson(cases: &Path, stage: &Path, source: &str) -> Result<(), Error> {
    let mut wanted: Vec<(PathBuf, Vec<u8>)> =
        vec![(stage.join("lesson.rs"), source.as_bytes().to_vec())];
    for kind in ["pass", "fail"] {
        let Ok(entries) = fs::read_dir(cases.join(kind)) else {
            continue;
        };
        for entry in entries.flatten() {
            let contents = fs::read(entry.path())
                .map_err(Error::io(format!("read {}", entry.path().display())))?;
            wanted.push((stage.join(kind).join(entry.file_name()), contents));
        }
    }
    // Whatever else is in the stage (a case the lesson no longer has) must go.
    for kind in ["pass", "fail"] {
        if let Ok(entries) = fs::read_dir(stage.join(kind)) {
            for entry in entries.flatten() {
                if !wanted.iter().any(|(path, _)| *path == entry.path()) {
                    fs::remove_file(entry.path())
                        .map_err(Error::io(format!("remove {}", entry.path().display())))?;
                }
            }
        }
    }
    for (path, contents) in wanted {
        if fs::read(&path).is_ok_and(|there| there == contents) {
            continue;
        }
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .map_err(Error::io(format!("create {}", parent.display())))?;
        }
        fs::write(&path, contents).map_err(Error::io(format!("write {}", path.display())))?;
    }
    Ok(())
}

fn copy_blessed(from: &Path, to: &Path) -> Result<(), Error> {
    let Ok(entries) = fs::read_dir(from) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        if entry.path().extension().is_some_and(|ext| ext == "stderr") {
            fs::copy(entry.path(), to.join(entry.file_name()))
                .map_err(Error::io(format!("copy {}", entry.path().display())))?;
        }
    }
    Ok(())
}

/// trybuild's report, one result per case: `test PATH [should pass] ... ok`, followed by
/// the details of a case that did not come out as expected. The harness's own panic at
/// the end (and anything after it) is trybuild's summary for authors, not for learners.
///
/// trybuild colours its report (termcolor) unless `NO_COLOR` is set, and the watch screen
/// always asks for colour: the report is read without its escape sequences, so it parses
/// the same either way (and the messages shown carry no half-cut colour codes).
fn parse_report(report: &str) -> Vec<TestResult> {
    let report = console::strip_ansi_codes(report);
    let mut tests: Vec<TestResult> = Vec::new();
    let mut details: Vec<&str> = Vec::new();
    let flush = |tests: &mut Vec<TestResult>, details: &mut Vec<&str>| {
        if let Some(last) = tests.last_mut()
            && last.outcome == TestOutcome::Failed
        {
            let mut text = details.join("\n");
            while text.contains("\n\n\n") {
                text = text.replace("\n\n\n", "\n\n");
            }
            last.message = Some(text.trim().to_owned());
        }
        details.clear();
    };
    for line in report.lines() {
        if line.contains("panicked at") {
            break;
        }
        if let Some(rest) = line.strip_prefix("test ")
            && let Some((case, result)) = rest.split_once(" ... ")
        {
            flush(&mut tests, &mut details);
            let path = case.split(" [").next().unwrap_or(case);
            // `../../.threadlings/ui/NAME/fail/x.rs` → `fail/x.rs`
            let short: Vec<&str> = path.rsplit('/').take(2).collect();
            let name = format!("{}/{}", short.get(1).unwrap_or(&""), short[0]);
            let outcome = if result.trim() == "ok" {
                TestOutcome::Passed
            } else {
                TestOutcome::Failed
            };
            tests.push(TestResult {
                name,
                outcome,
                message: None,
                model: None,
                duration: None,
            });
        } else if line.contains("TRYBUILD=overwrite")
            || line.starts_with("note: If the actual output is the correct output")
        {
            // Advice for the lesson's author, not for the learner.
        } else if line == "Expected test case to fail to compile, but it succeeded." {
            details.push(
                "This program must be rejected by the compiler, but it compiled: your type has \
                 a trait (`Send`, `Sync`) or a lifetime it must not have, whether your code \
                 promised it (`unsafe impl`) or the compiler derived it from the fields.",
            );
        } else if !tests.is_empty() {
            details.push(line);
        }
    }
    flush(&mut tests, &mut details);
    tests
}

/// A note when the local rustc is not the one the expected errors were blessed on.
fn toolchain_note(course: &Course, cargo: &Cargo) -> Option<String> {
    let pinned = fs::read_to_string(course.root.join("rust-toolchain.toml")).ok()?;
    let channel = pinned
        .lines()
        .find_map(|line| line.trim().strip_prefix("channel"))?
        .trim_start_matches([' ', '='])
        .trim()
        .trim_matches('"')
        .to_owned();
    let local = cargo.rustc_version(course)?;
    (!local.contains(&format!(" {channel} "))).then(|| {
        format!(
            "your compiler is `{local}`, but this lesson's expected errors were written for \
             Rust {channel}; if only the wording differs, that is why. \
             `rustup toolchain install {channel}` installs the course's compiler."
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_harness_runs_in_the_submissions_tree_under_the_classrooms_confinement() {
        let course = Course::bare(PathBuf::from("/course"), Vec::new());
        let submission = Submission::at(PathBuf::from("/class/slot0"));
        let exercise = Exercise {
            name: "send_sync1".to_owned(),
            dir: "12_send_sync".to_owned(),
            topic: "Send and Sync".to_owned(),
            mode: crate::course::Mode::CompileFail,
            stub: crate::course::StubFailure::CompileError,
            hints: Vec::new(),
            timeout: Duration::from_secs(30),
            points: 1,
        };
        let mut cargo = Cargo::detect(false);
        let spec = |cargo: &Cargo| {
            harness_spec(
                &course,
                &submission,
                cargo,
                PathBuf::from("harness"),
                &exercise,
                Expectations::Check,
            )
            .unwrap()
        };
        let plain = spec(&cargo);
        assert_eq!(
            plain.confine, None,
            "a learner's own checkout is not confined"
        );
        assert_eq!(
            plain.cwd.as_deref(),
            Some(Path::new("/class/slot0/grader/ui-harness"))
        );
        let target = plain
            .env
            .iter()
            .find(|(key, _)| key == "CARGO_TARGET_DIR")
            .map(|(_, value)| PathBuf::from(value));
        assert_eq!(target.as_deref(), Some(Path::new("/class/slot0/target")));

        let confinement = run::Confinement {
            readable: vec![PathBuf::from("/usr")],
            writable: vec![PathBuf::from("/class/slot0")],
            tmpdir: PathBuf::from("/class/slot0/tmp"),
        };
        cargo.confine = Some(std::sync::Arc::new(confinement.clone()));
        assert_eq!(spec(&cargo).confine, Some(confinement));
    }

    #[test]
    fn the_report_gives_one_result_per_case_without_author_advice() {
        let report = "\
test ../../.threadlings/ui/l/pass/moves.rs [should pass] ... ok
test ../../.threadlings/ui/l/fail/shared.rs [should fail to compile] ... error
Expected test case to fail to compile, but it succeeded.



thread 'main' panicked at trybuild/src/run.rs:101:13:
1 of 2 tests failed
";
        let tests = parse_report(report);
        assert_eq!(tests.len(), 2);
        assert_eq!(tests[0].name, "pass/moves.rs");
        assert_eq!(tests[0].outcome, TestOutcome::Passed);
        assert_eq!(tests[1].name, "fail/shared.rs");
        assert_eq!(tests[1].outcome, TestOutcome::Failed);
        let message = tests[1].message.as_deref().unwrap();
        assert!(
            message.starts_with("This program must be rejected by the compiler"),
            "{message}"
        );
        assert!(!message.contains("tests failed"), "{message}");
    }

    /// trybuild's report as termcolor writes it when colour is on.
    fn coloured(plain: &str) -> String {
        let mut out = String::new();
        for line in plain.lines() {
            if let Some(rest) = line.strip_prefix("test ") {
                let (path, rest) = rest.split_once(' ').unwrap();
                let (kind, result) = rest.split_once(" ... ").unwrap();
                let colour = if result == "ok" { "32" } else { "1;31" };
                out.push_str(&format!(
                    "test \x1b[0m\x1b[1m{path}\x1b[0m {kind} ... \x1b[0m\x1b[{colour}m{result}\n\x1b[0m"
                ));
            } else if line.starts_with("Expected") {
                out.push_str(&format!("\x1b[0m\x1b[31m{line}\n\x1b[0m"));
            } else {
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    }

    #[test]
    fn the_report_reads_the_same_with_colour_on_or_off() {
        let plain = "\
test ../../.threadlings/ui/l/pass/moves.rs [should pass] ... ok
test ../../.threadlings/ui/l/fail/shared.rs [should fail to compile] ... error
Expected test case to fail to compile, but it succeeded.

thread 'main' panicked at trybuild/src/run.rs:101:13:
1 of 2 tests failed
";
        let with_colour = coloured(plain);
        assert_ne!(with_colour, plain);
        assert!(with_colour.contains("\x1b[32mok"), "{with_colour:?}");
        let (a, b) = (parse_report(plain), parse_report(&with_colour));
        assert_eq!(a, b);
        assert_eq!(b[0].outcome, TestOutcome::Passed, "{b:?}");
        assert_eq!(b[1].outcome, TestOutcome::Failed, "{b:?}");
        assert!(
            b[1].message
                .as_deref()
                .unwrap()
                .starts_with("This program must be rejected"),
            "{b:?}"
        );
    }
}
