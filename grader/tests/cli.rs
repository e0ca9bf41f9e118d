//! The grader's integration tests: the real `threadlings` binary on a tiny fixture course
//! with one exercise per grading outcome (`tests/fixtures/course`), and on the real
//! course for the self-check.
//!
//! The fixture course is copied once per test run into cargo's scratch folder and shared
//! by the read-only tests (its build cache survives between runs); tests that change files
//! get a private copy.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_threadlings");

/// A course folder the binary can be pointed at.
struct Course {
    root: PathBuf,
}

/// One finished invocation of the binary.
struct Run {
    output: Output,
}

impl Course {
    /// The shared copy of the fixture course.
    fn fixture() -> &'static Course {
        static SHARED: OnceLock<Course> = OnceLock::new();
        SHARED.get_or_init(|| Course::copy_of_fixture("shared"))
    }

    /// A private copy, for tests that change files or state.
    fn private(name: &str) -> Course {
        Course::copy_of_fixture(name)
    }

    fn copy_of_fixture(name: &str) -> Course {
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/course");
        let root = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("fixture-courses")
            .join(name);
        // Keep `target/` (the build cache); replace everything else.
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
        copy_tree(&source, &root);
        Course { root }
    }

    /// The real course this checkout holds.
    fn real() -> Course {
        Course {
            root: Path::new(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .unwrap()
                .to_path_buf(),
        }
    }

    fn threadlings(&self, args: &[&str]) -> Run {
        let output = Command::new(BIN)
            .args(args)
            .arg("--course-dir")
            .arg(&self.root)
            .env("NO_COLOR", "1")
            .env_remove("THREADLINGS_COURSE_DIR")
            .output()
            .expect("the threadlings binary runs");
        Run { output }
    }

    /// `run NAME --json`, parsed.
    fn run_json(&self, name: &str) -> Value {
        self.threadlings(&["run", name, "--json"]).json()
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }
}

impl Run {
    fn code(&self) -> i32 {
        self.output.status.code().expect("exited normally")
    }

    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout()).unwrap_or_else(|err| {
            panic!(
                "not JSON ({err}):\n{}\nstderr:\n{}",
                self.stdout(),
                self.stderr()
            )
        })
    }
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

fn verdict(report: &Value) -> &str {
    report["verdict"].as_str().expect("a verdict")
}

fn test_outcomes(report: &Value) -> Vec<(String, String)> {
    report["tests"]
        .as_array()
        .expect("a list of tests")
        .iter()
        .map(|test| {
            (
                test["name"].as_str().unwrap().to_owned(),
                test["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

mod outcomes {
    use super::*;

    #[test]
    fn a_correct_exercise_passes() {
        let run = Course::fixture().threadlings(&["run", "pass", "--json"]);
        assert_eq!(run.code(), 0, "{}", run.stderr());
        let report = run.json();
        assert_eq!(verdict(&report), "pass");
        assert_eq!(
            test_outcomes(&report),
            [
                ("tests::first".into(), "passed".into()),
                ("tests::second".into(), "passed".into())
            ]
        );
        assert!(report["duration_ms"].is_u64());
        assert!(report["diagnosis"].is_null());
    }

    #[test]
    fn a_compile_error_shows_rustc_s_message() {
        let report = Course::fixture().run_json("compile_error");
        assert_eq!(verdict(&report), "compile_error");
        let errors = report["compiler_errors"].as_str().unwrap();
        assert!(
            errors.contains("error[E0308]: mismatched types"),
            "{errors}"
        );
        assert!(errors.contains("compile_error.rs:4:5"), "{errors}");
    }

    #[test]
    fn a_failing_test_is_named_with_its_panic_message() {
        let run = Course::fixture().threadlings(&["run", "failing_test", "--json"]);
        assert_eq!(run.code(), 1);
        let report = run.json();
        assert_eq!(verdict(&report), "test_failed");
        let first = &report["tests"][0];
        assert_eq!(first["outcome"], "failed");
        let message = first["message"].as_str().unwrap();
        assert!(message.contains("left: 41"), "{message}");
        assert_eq!(report["tests"][1]["outcome"], "passed");
    }

    #[test]
    fn a_panicking_thread_s_message_reaches_the_learner() {
        let report = Course::fixture().run_json("panicking_thread");
        assert_eq!(verdict(&report), "test_failed");
        let message = report["tests"][0]["message"].as_str().unwrap();
        assert!(message.contains("the worker gave up"), "{message}");
    }

    #[test]
    fn a_deadlock_times_out_with_a_deadlock_diagnosis() {
        let report = Course::fixture().run_json("deadlock");
        assert_eq!(verdict(&report), "timeout");
        assert_eq!(report["interrupted_test"], "tests::first");
        if cfg!(target_os = "linux") {
            assert_eq!(report["diagnosis"]["kind"], "deadlock", "{report:#}");
            let summary = report["diagnosis"]["summary"].as_str().unwrap();
            assert!(summary.contains("every thread is blocked"), "{summary}");
        }
        assert_eq!(
            test_outcomes(&report),
            [
                ("tests::first".into(), "interrupted".into()),
                ("tests::second".into(), "not_run".into())
            ]
        );
    }

    #[test]
    fn a_busy_loop_times_out_naming_the_running_thread() {
        let report = Course::fixture().run_json("busy_loop");
        assert_eq!(verdict(&report), "timeout");
        if cfg!(target_os = "linux") {
            assert_eq!(report["diagnosis"]["kind"], "busy_loop", "{report:#}");
            assert_eq!(report["diagnosis"]["threads"][0]["name"], "tests::first");
        }
    }

    #[test]
    fn exit_zero_in_a_test_is_not_a_pass() {
        let run = Course::fixture().threadlings(&["run", "exit_zero", "--json"]);
        assert_eq!(run.code(), 1);
        let report = run.json();
        assert_eq!(verdict(&report), "tampered");
        let finding = report["findings"][0].as_str().unwrap();
        assert!(finding.contains("exited with status 0"), "{finding}");
        assert!(finding.contains("process::exit"), "{finding}");
    }

    #[test]
    fn an_abort_is_a_crash_in_the_running_test() {
        let report = Course::fixture().run_json("abort");
        assert_eq!(verdict(&report), "crashed");
        assert_eq!(report["interrupted_test"], "tests::first");
        assert!(report["crash"].as_str().unwrap().contains("aborted"));
    }

    #[test]
    fn a_stack_overflow_is_named() {
        let report = Course::fixture().run_json("stack_overflow");
        assert_eq!(verdict(&report), "crashed");
        assert!(
            report["crash"].as_str().unwrap().contains("stack overflow"),
            "{report:#}"
        );
    }

    #[test]
    fn a_runaway_allocation_hits_the_memory_limit() {
        let report = Course::fixture().run_json("memory_runaway");
        assert_eq!(verdict(&report), "crashed");
        assert!(
            report["crash"].as_str().unwrap().contains("out of memory"),
            "{report:#}"
        );
    }

    #[test]
    fn an_output_flood_is_capped_and_the_failure_still_found() {
        let report = Course::fixture().run_json("output_flood");
        assert_eq!(verdict(&report), "test_failed");
        let message = report["tests"][0]["message"].as_str().unwrap();
        assert!(message.contains("flooded"), "{message}");
        assert!(
            message.len() < 100_000,
            "the message was not capped: {} bytes",
            message.len()
        );
    }

    #[test]
    fn a_deleted_test_is_tampering() {
        let report = Course::fixture().run_json("deleted_test");
        assert_eq!(verdict(&report), "tampered");
        assert_eq!(
            report["findings"][0],
            "test `tests::second` was deleted or renamed"
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn an_orphaned_child_is_killed_and_does_not_hang_the_grader() {
        let course = Course::private("orphan");
        let report = course.run_json("orphan_child");
        assert_eq!(verdict(&report), "pass");
        let pid = fs::read_to_string(course.path("orphan.pid")).unwrap();
        let alive = fs::read_to_string(format!("/proc/{}/stat", pid.trim())).is_ok_and(|stat| {
            !stat
                .rsplit_once(") ")
                .is_some_and(|(_, rest)| rest.starts_with('Z'))
        });
        assert!(!alive, "the child process {pid} outlived the test run");
    }
}

mod commands {
    use super::*;

    #[test]
    fn list_json_has_every_exercise_in_order() {
        let list = Course::fixture().threadlings(&["list", "--json"]).json();
        let entries = list.as_array().unwrap();
        assert_eq!(entries.len(), 13);
        assert_eq!(entries[0]["name"], "pass");
        assert_eq!(entries[0]["path"], "exercises/outcomes/pass.rs");
        assert_eq!(entries[0]["topic"], "outcomes");
        assert_eq!(entries[0]["mode"], "test");
        assert!(entries[0]["done"].is_boolean());
    }

    #[test]
    fn a_pass_is_remembered_until_the_file_changes() {
        let course = Course::private("progress");
        let done = |course: &Course| {
            course.threadlings(&["list", "--json"]).json()[0]["done"]
                .as_bool()
                .unwrap()
        };
        assert!(!done(&course));
        assert_eq!(course.threadlings(&["run", "pass"]).code(), 0);
        assert!(done(&course));
        let path = course.path("exercises/outcomes/pass.rs");
        let edited = fs::read_to_string(&path)
            .unwrap()
            .replace("42\n}", "40 + 2\n}");
        fs::write(&path, edited).unwrap();
        assert!(!done(&course), "editing a finished exercise reopens it");
    }

    #[test]
    fn the_default_command_stops_at_the_first_unfinished_exercise_with_its_hint() {
        let course = Course::private("next");
        let run = course.threadlings(&[]);
        assert_eq!(run.code(), 1);
        let stdout = run.stdout();
        assert!(
            stdout.contains("Welcome to the fixture course."),
            "{stdout}"
        );
        assert!(stdout.contains("✓ pass passed"), "{stdout}");
        assert!(
            stdout.contains("compile_error does not compile"),
            "{stdout}"
        );
        assert!(
            stdout.contains("hint 1/2: compile_error hint one"),
            "{stdout}"
        );
        assert!(
            !stdout.contains("failing_test"),
            "it stops at the first failure: {stdout}"
        );
        let again = course.threadlings(&[]).stdout();
        assert!(
            !again.contains("Welcome"),
            "the welcome is shown once: {again}"
        );
    }

    #[test]
    fn hints_are_revealed_one_at_a_time() {
        let course = Course::private("hints");
        let first = course.threadlings(&["hint", "pass"]).stdout();
        assert!(
            first.contains("hint 1/2: pass hint one") && !first.contains("hint two"),
            "{first}"
        );
        let second = course.threadlings(&["hint", "pass"]).stdout();
        assert!(second.contains("hint 2/2: pass hint two"), "{second}");
        let all = Course::fixture()
            .threadlings(&["hint", "pass", "--all"])
            .stdout();
        assert!(
            all.contains("hint one") && all.contains("hint two"),
            "{all}"
        );
    }

    #[test]
    fn verify_solutions_grades_everything_in_one_batch() {
        let run = Course::fixture().threadlings(&["verify", "--solutions", "--json"]);
        assert_eq!(run.code(), 0, "{}", run.stdout());
        let reports = run.json();
        let reports = reports.as_array().unwrap();
        assert_eq!(reports.len(), 13);
        assert!(reports.iter().all(|report| verdict(report) == "pass"));
        assert_eq!(reports[12]["exercise"], "deleted_test");
    }

    #[test]
    fn an_unknown_exercise_is_a_usage_error_with_suggestions() {
        let run = Course::fixture().threadlings(&["run", "pas"]);
        assert_eq!(run.code(), 2);
        assert!(
            run.stderr()
                .contains("no exercise named `pas`: did you mean pass?"),
            "{}",
            run.stderr()
        );
    }

    #[test]
    fn a_broken_info_toml_is_located() {
        let course = Course::private("broken-info");
        let info = course.path("info.toml");
        let text = fs::read_to_string(&info)
            .unwrap()
            .replacen("topic = ", "topc = ", 1);
        fs::write(&info, text).unwrap();
        let run = course.threadlings(&["list"]);
        assert_eq!(run.code(), 2);
        let stderr = run.stderr();
        assert!(
            stderr.contains("info.toml:9:1: unknown field `topc`"),
            "{stderr}"
        );
    }

    #[test]
    fn a_corrupt_state_file_is_reported_and_rebuilt() {
        let course = Course::private("corrupt-state");
        fs::create_dir_all(course.path(".threadlings")).unwrap();
        fs::write(course.path(".threadlings/state.json"), "{{{{").unwrap();
        let run = course.threadlings(&["run", "pass"]);
        assert_eq!(run.code(), 0);
        assert!(
            run.stderr().contains("could not be read"),
            "{}",
            run.stderr()
        );
        assert!(course.path(".threadlings/state.json.corrupt").is_file());
        let state = fs::read_to_string(course.path(".threadlings/state.json")).unwrap();
        assert!(state.contains("\"pass\""), "{state}");
    }

    #[test]
    fn reset_restores_the_original_and_keeps_a_backup() {
        let course = Course::private("reset");
        let git = |args: &[&str]| {
            let status = Command::new("git")
                .args([
                    "-c",
                    "user.name=t",
                    "-c",
                    "user.email=t@t",
                    "-c",
                    "commit.gpgsign=false",
                ])
                .args(args)
                .current_dir(&course.root)
                .output()
                .unwrap();
            assert!(
                status.status.success(),
                "git {args:?}: {}",
                String::from_utf8_lossy(&status.stderr)
            );
        };
        git(&["init", "-q"]);
        git(&["add", "exercises"]);
        git(&["commit", "-qm", "course"]);
        let path = course.path("exercises/outcomes/pass.rs");
        let original = fs::read_to_string(&path).unwrap();
        fs::write(&path, "my work in progress\n").unwrap();

        let refused = course.threadlings(&["reset", "pass"]);
        assert_eq!(
            refused.code(),
            2,
            "no terminal, no --yes: {}",
            refused.stderr()
        );
        assert_eq!(fs::read_to_string(&path).unwrap(), "my work in progress\n");

        let run = course.threadlings(&["reset", "pass", "--yes"]);
        assert_eq!(run.code(), 0, "{}", run.stderr());
        assert_eq!(fs::read_to_string(&path).unwrap(), original);
        let backups: Vec<_> = fs::read_dir(course.path(".threadlings/backups"))
            .unwrap()
            .flatten()
            .collect();
        assert_eq!(backups.len(), 1);
        assert_eq!(
            fs::read_to_string(backups[0].path()).unwrap(),
            "my work in progress\n"
        );
    }

    #[test]
    fn help_documents_the_exit_codes() {
        let run = Course::fixture().threadlings(&["--help"]);
        let stdout = run.stdout();
        for code in [
            "0  every graded exercise passed",
            "1  an exercise did not pass",
            "2  usage error",
            "3  the grader could not grade",
        ] {
            assert!(stdout.contains(code), "{stdout}");
        }
    }
}

mod course_self_check {
    use super::*;

    /// The real course: every stub fails as declared, every solution passes, and the
    /// files agree with info.toml. The README's test command runs this.
    #[test]
    fn the_course_is_consistent() {
        let stress = std::env::var("THREADLINGS_STRESS").unwrap_or_else(|_| "0".to_owned());
        let run = Course::real().threadlings(&["dev", "check", "--stress", &stress]);
        assert_eq!(
            run.code(),
            0,
            "dev check failed:\n{}\n{}",
            run.stdout(),
            run.stderr()
        );
    }
}
