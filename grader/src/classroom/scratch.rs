//! A submission made gradeable: a scratch checkout assembled from the course (the
//! instructor's tree, trusted) and the student's exercise files (untrusted), which the
//! engine then grades like any learner's checkout.
//!
//! It is the [`Submission`](crate::submission::Submission) the engine grades against the
//! course: the course itself (`info.toml`, the reference tests, the stubs) is read from
//! the instructor's tree and never from here. From the course come the workspace
//! manifests (cut down to the assigned exercises, so that cargo builds nothing else), the
//! toolchain file and the compile-fail harness (the testkit is used where it is, in the
//! course). There is no `solutions/`: no solution is ever within reach of student code.
//! From the submission come the assigned exercise files only, each with the course's
//! reference test module put back in (`tamper::restore_tests`): edited, weakened or
//! deleted tests do not count, and what was changed is kept as a flag for the instructor.
//! Nothing else of the submission is read, and nothing in it is written.
//!
//! A scratch checkout is reused from student to student (one per parallel slot), and a
//! file is rewritten only when its content changes, so cargo recompiles only the
//! exercises that differ from the previous student's. It builds in a `target` of its own:
//! cargo names a workspace's artifacts the same wherever the workspace is, so two slots
//! sharing a build folder would overwrite each other's test binaries.

use std::fs;
use std::path::Path;

use crate::course::{Course, EXERCISES_DIR, Exercise, Mode, SOLUTIONS_DIR, Side, UI_HARNESS_DIR};
use crate::error::Error;
use crate::finding::Finding;
use crate::tamper;

/// The workspace members the scratch checkout leaves out: the grader itself, the testkit
/// (used from the course, where it is) and the solutions (never within a student's reach;
/// the reference tests are read from the course).
const LEFT_OUT_MEMBERS: [&str; 3] = ["grader", "grader/testkit", SOLUTIONS_DIR];

/// What became of one assigned exercise file when it was put into the scratch checkout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Placed {
    /// The student's file, with the course's tests; `flags` says what the student had
    /// changed in them.
    File { flags: Vec<Finding> },
    /// The submission has no such file: graded as the course's stub.
    Missing,
    /// The student's file cannot be read as Rust (not UTF-8, or not parseable): it is
    /// placed as it is, and the compiler says what is wrong.
    Unparsed { why: String },
}

/// Builds or refreshes the scratch checkout at `scratch` for `submission`, and says what
/// became of each of `assigned`.
pub fn prepare(
    course: &Course,
    submission: &Path,
    assigned: &[&Exercise],
    scratch: &Path,
) -> Result<Vec<Placed>, Error> {
    fs::create_dir_all(scratch).map_err(Error::io(format!("create {}", scratch.display())))?;
    // A slot of an older grader linked its build folder to a shared one: its own now.
    let target = scratch.join("target");
    if fs::symlink_metadata(&target).is_ok_and(|meta| meta.file_type().is_symlink()) {
        fs::remove_file(&target).map_err(Error::io(format!("remove {}", target.display())))?;
    }
    for file in ["Cargo.lock", "rust-toolchain.toml"] {
        let from = course.root.join(file);
        if from.is_file() {
            copy_if_changed(&from, &scratch.join(file))?;
        }
    }
    // What an older grader kept here: a copy of info.toml, and the stubs as solutions.
    for stale in [scratch.join("info.toml"), scratch.join(SOLUTIONS_DIR)] {
        let _ = fs::remove_file(&stale).or_else(|_| fs::remove_dir_all(&stale));
    }
    // Only the assigned exercises as bins: cargo builds nothing else (a stub that does
    // not compile would be compiled again for every student).
    let names: Vec<&str> = assigned
        .iter()
        .map(|exercise| exercise.name.as_str())
        .collect();
    // The testkit is not copied: the scratch checkout depends on the course's own, so it
    // builds once for every slot and every run (one path, one artifact).
    let harness = course.root.join(UI_HARNESS_DIR);
    if harness.is_dir() {
        copy_tree(&harness, &scratch.join(UI_HARNESS_DIR))?;
    }
    let root_manifest = manifest(&course.root.join("Cargo.toml"), scratch, None)?;
    write_if_changed(&scratch.join("Cargo.toml"), &root_manifest)?;
    let copied = scratch.join(EXERCISES_DIR);
    let text = manifest(&course.manifest(Side::Exercise), &copied, Some(&names))?;
    write_if_changed(&copied.join("Cargo.toml"), &text)?;
    prune(scratch, assigned)?;
    assigned
        .iter()
        .map(|exercise| place(course, submission, exercise, scratch))
        .collect()
}

/// Removes the exercise files an earlier assignment left in a reused scratch checkout:
/// it holds the assigned exercises only.
fn prune(scratch: &Path, assigned: &[&Exercise]) -> Result<(), Error> {
    let keep: Vec<std::path::PathBuf> = assigned
        .iter()
        .map(|exercise| exercise.relative_path())
        .collect();
    let root = scratch.join(EXERCISES_DIR);
    let Ok(dirs) = fs::read_dir(&root) else {
        return Ok(());
    };
    for dir in dirs
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.is_dir())
    {
        for file in fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = file.path();
            let relative = path.strip_prefix(&root).unwrap_or(&path).to_path_buf();
            if path.extension().is_some_and(|ext| ext == "rs") && !keep.contains(&relative) {
                fs::remove_file(&path).map_err(Error::io(format!("remove {}", path.display())))?;
            }
        }
    }
    Ok(())
}

/// Puts the student's file of `exercise` into the scratch checkout.
fn place(
    course: &Course,
    submission: &Path,
    exercise: &Exercise,
    scratch: &Path,
) -> Result<Placed, Error> {
    let relative = Path::new(EXERCISES_DIR).join(exercise.relative_path());
    let destination = scratch.join(&relative);
    let stub_path = course.path(exercise, Side::Exercise);
    let stub = fs::read_to_string(&stub_path)
        .map_err(Error::io(format!("read {}", stub_path.display())))?;
    let Ok(bytes) = fs::read(submission.join(&relative)) else {
        write_if_changed(&destination, &stub)?;
        return Ok(Placed::Missing);
    };
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            write_bytes_if_changed(&destination, err.as_bytes())?;
            return Ok(Placed::Unparsed {
                why: format!("{} is not UTF-8 text", relative.display()),
            });
        }
    };
    // A compile-fail lesson has no tests in the file: its cases are the course's, and the
    // file is graded as it is.
    if exercise.mode == Mode::CompileFail {
        write_if_changed(&destination, &text)?;
        return Ok(Placed::File { flags: Vec::new() });
    }
    // The reference tests, as the engine reads them: the course's solution's.
    let solution_path = course.path(exercise, Side::Solution);
    let reference = fs::read_to_string(&solution_path)
        .map_err(Error::io(format!("read {}", solution_path.display())))?;
    match tamper::restore_tests(&text, &reference) {
        Ok(restored) => {
            let changes: Vec<tamper::Tampering> =
                match tamper::ReferenceTests::from_source(&reference) {
                    Ok(reference) => reference
                        .check(&text)
                        .into_iter()
                        .filter(tamper::Tampering::changes_the_tests)
                        .collect(),
                    Err(_) => Vec::new(),
                };
            let flags = if changes.is_empty() {
                Vec::new()
            } else {
                vec![Finding::TestsReplaced { changes }]
            };
            write_if_changed(&destination, &restored)?;
            Ok(Placed::File { flags })
        }
        Err(why) => {
            write_if_changed(&destination, &text)?;
            Ok(Placed::Unparsed { why })
        }
    }
}

/// The course's manifest at `original`, as it must read at `copied_dir`: a path
/// dependency that the scratch checkout does not hold points back at the course's copy;
/// for a member's manifest, only the bins `bins` are kept; for the workspace's (`bins`
/// is `None`), neither the grader (the scratch checkout has no grader sources; the engine
/// never builds it) nor the testkit is a member.
fn manifest(original: &Path, copied_dir: &Path, bins: Option<&[&str]>) -> Result<String, Error> {
    let text =
        fs::read_to_string(original).map_err(Error::io(format!("read {}", original.display())))?;
    let mut manifest: toml::Table = text
        .parse()
        .map_err(|err| Error::Tool(format!("{}: {err}", original.display())))?;
    let original_dir = original.parent().unwrap_or(Path::new("."));
    let relocate = |table: &mut toml::Table| {
        for (_, spec) in table.iter_mut() {
            if let Some(toml::Value::String(path)) = spec.get_mut("path")
                && !copied_dir.join(path.as_str()).exists()
            {
                let absolute = original_dir.join(path.as_str()).display().to_string();
                *path = absolute;
            }
        }
    };
    for key in ["dependencies", "dev-dependencies"] {
        if let Some(toml::Value::Table(table)) = manifest.get_mut(key) {
            relocate(table);
        }
    }
    if let Some(toml::Value::Table(workspace)) = manifest.get_mut("workspace") {
        if let Some(toml::Value::Table(table)) = workspace.get_mut("dependencies") {
            relocate(table);
        }
        if bins.is_none() {
            for key in ["members", "default-members"] {
                if let Some(toml::Value::Array(members)) = workspace.get_mut(key) {
                    members.retain(|member| {
                        !member
                            .as_str()
                            .is_some_and(|member| LEFT_OUT_MEMBERS.contains(&member))
                    });
                }
            }
        }
    }
    if let Some(bins) = bins
        && let Some(toml::Value::Array(targets)) = manifest.get_mut("bin")
    {
        targets.retain(|target| {
            target
                .get("name")
                .and_then(toml::Value::as_str)
                .is_some_and(|name| bins.contains(&name))
        });
    }
    toml::to_string(&manifest).map_err(|err| Error::Tool(format!("{}: {err}", original.display())))
}

fn write_if_changed(path: &Path, text: &str) -> Result<(), Error> {
    write_bytes_if_changed(path, text.as_bytes())
}

fn write_bytes_if_changed(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    if fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(Error::io(format!("create {}", parent.display())))?;
    }
    fs::write(path, bytes).map_err(Error::io(format!("write {}", path.display())))
}

fn copy_if_changed(from: &Path, to: &Path) -> Result<(), Error> {
    let bytes = fs::read(from).map_err(Error::io(format!("read {}", from.display())))?;
    write_bytes_if_changed(to, &bytes)
}

/// Copies the files under `from` to `to` (changed ones only), skipping `target` folders.
fn copy_tree(from: &Path, to: &Path) -> Result<(), Error> {
    let entries = fs::read_dir(from).map_err(Error::io(format!("read {}", from.display())))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if path.is_dir() {
            if name != "target" {
                copy_tree(&path, &to.join(&name))?;
            }
        } else if path.is_file() {
            copy_if_changed(&path, &to.join(&name))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> Course {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/course");
        Course::load(&root).unwrap()
    }

    #[test]
    fn a_scratch_checkout_holds_the_students_code_with_the_courses_tests() {
        let course = fixture();
        let submission = tempfile::tempdir().unwrap();
        let outcomes = submission.path().join("exercises/outcomes");
        fs::create_dir_all(&outcomes).unwrap();
        let stub = fs::read_to_string(course.root.join("exercises/outcomes/pass.rs")).unwrap();
        let edited = stub.replace("    42\n", "    41\n").replace(
            "    #[test]\n    fn second() {\n        assert!(work() > 0);\n    }\n",
            "",
        );
        assert_ne!(edited, stub);
        fs::write(outcomes.join("pass.rs"), &edited).unwrap();
        fs::write(outcomes.join("failing_test.rs"), b"fn main() { caf\xe9 }").unwrap();
        // A file of an exercise not assigned: never read.
        fs::write(outcomes.join("abort.rs"), "secret").unwrap();
        let exercise = |name: &str| course.exercise(name).unwrap();
        let assigned = [
            exercise("pass"),
            exercise("failing_test"),
            exercise("compile_error"),
        ];
        let work = tempfile::tempdir().unwrap();
        let scratch = work.path().join("slot");

        let placed = prepare(&course, submission.path(), &assigned, &scratch).unwrap();
        assert_eq!(
            placed,
            [
                Placed::File {
                    flags: vec![Finding::TestsReplaced {
                        changes: vec![tamper::Tampering::Removed {
                            item: "test `tests::second`".to_owned()
                        }]
                    }]
                },
                Placed::Unparsed {
                    why: "exercises/outcomes/failing_test.rs is not UTF-8 text".to_owned()
                },
                Placed::Missing,
            ]
        );
        let graded = fs::read_to_string(scratch.join("exercises/outcomes/pass.rs")).unwrap();
        assert!(
            graded.contains("    41\n") && graded.contains("fn second()"),
            "{graded}"
        );
        // No solution is in the scratch checkout, nor a member that would build one.
        assert!(!scratch.join("solutions").exists());
        let workspace = fs::read_to_string(scratch.join("Cargo.toml")).unwrap();
        assert!(!workspace.contains("\"solutions\""), "{workspace}");
        // Of the rest of the course, nothing: cargo builds the assigned exercises only.
        assert!(!scratch.join("exercises/outcomes/abort.rs").exists());
        let manifest = fs::read_to_string(scratch.join("exercises/Cargo.toml")).unwrap();
        assert_eq!(manifest.matches("[[bin]]").count(), 3, "{manifest}");
        let testkit = course.root.join("exercises").join("../../../../testkit");
        assert!(
            manifest.contains(&testkit.display().to_string()),
            "{manifest}"
        );

        // The next student's identical file leaves the scratch file untouched for cargo.
        let path = scratch.join("exercises/outcomes/pass.rs");
        let before = fs::metadata(&path).unwrap().modified().unwrap();
        prepare(&course, submission.path(), &assigned, &scratch).unwrap();
        assert_eq!(fs::metadata(&path).unwrap().modified().unwrap(), before);
    }

    #[test]
    fn a_compile_fail_lesson_is_placed_as_the_student_wrote_it() {
        let root = tempfile::tempdir().unwrap();
        let info = "format_version = 1\n\n[[exercises]]\nname = \"cf\"\ndir = \"d\"\n\
                    topic = \"t\"\nmode = \"compile_fail\"\nstub = \"compile_error\"\n\
                    hints = [\"a\", \"b\"]\n";
        for (path, text) in [
            ("exercises/d/cf.rs", "unsafe impl Sync for X {}\n"),
            ("solutions/d/cf.rs", "struct X;\n"),
        ] {
            let path = root.path().join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        let info_path = root.path().join("info.toml");
        let course = Course::parse(root.path(), &info_path, info).unwrap();
        let submission = tempfile::tempdir().unwrap();
        let mine = "// mine: no test module, as the lesson has none\nstruct X;\n";
        fs::create_dir_all(submission.path().join("exercises/d")).unwrap();
        fs::write(submission.path().join("exercises/d/cf.rs"), mine).unwrap();
        let scratch = tempfile::tempdir().unwrap();

        let placed = place(
            &course,
            submission.path(),
            course.exercise("cf").unwrap(),
            scratch.path(),
        )
        .unwrap();
        assert_eq!(placed, Placed::File { flags: Vec::new() });
        assert_eq!(
            fs::read_to_string(scratch.path().join("exercises/d/cf.rs")).unwrap(),
            mine
        );
    }
}
