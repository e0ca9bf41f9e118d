//! The grader's integration tests: the real `threadlings` binary on a tiny fixture course
//! with one exercise per grading outcome (`tests/fixtures/course`), and on the real
//! course for the self-check.
//!
//! The fixture course is copied once per test run into cargo's scratch folder and shared
//! by the read-only tests (its build cache survives between runs); tests that change files
//! get a private copy.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex, OnceLock, mpsc};
use std::thread;
use std::time::Duration;

use serde_json::{Value, json};

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

    /// A private copy of the course of attacks.
    fn private_hostile(name: &str) -> Course {
        Course::copy_of("hostile", name)
    }

    /// A private copy, for tests that change files or state.
    fn private(name: &str) -> Course {
        Course::copy_of_fixture(name)
    }

    /// The shared copy of the course of attacks on the grader.
    fn hostile() -> &'static Course {
        static SHARED: OnceLock<Course> = OnceLock::new();
        SHARED.get_or_init(|| Course::copy_of("hostile", "hostile"))
    }

    fn copy_of_fixture(name: &str) -> Course {
        Course::copy_of("course", name)
    }

    /// A copy of `tests/fixtures/<fixture>` named `name`.
    fn copy_of(fixture: &str, name: &str) -> Course {
        let source = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(fixture);
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
        point_at_the_testkit(&root);
        Course { root }
    }

    /// A private copy holding only `names`, in that order (info.toml, both manifests and
    /// the exercise files are cut down to match).
    fn private_with(name: &str, names: &[&str]) -> Course {
        Course::private_from("course", "outcomes", name, names)
    }

    /// A private copy of `tests/fixtures/<fixture>` holding only `names` (files in
    /// `<dir>`), in that order.
    fn private_from(fixture: &str, dir: &str, name: &str, names: &[&str]) -> Course {
        let course = Course::copy_of(fixture, name);
        let keep = |block: &str| {
            let Some(start) = block.find("name = \"") else {
                return true;
            };
            let rest = &block[start + 8..];
            let block_name = &rest[..rest.find('"').unwrap()];
            names.contains(&block_name)
        };
        for file in ["exercises/Cargo.toml", "solutions/Cargo.toml"] {
            let text = fs::read_to_string(course.path(file)).unwrap();
            let (head, bins) = text.split_once("[[bin]]").unwrap();
            let kept: Vec<String> = bins
                .split("[[bin]]")
                .filter(|block| keep(block))
                .map(|block| format!("[[bin]]{block}"))
                .collect();
            fs::write(course.path(file), format!("{head}{}", kept.concat())).unwrap();
        }
        let info = fs::read_to_string(course.path("info.toml")).unwrap();
        let (head, entries) = info.split_once("[[exercises]]").unwrap();
        let entries: Vec<&str> = entries.split("[[exercises]]").collect();
        let mut ordered = String::from(head);
        for wanted in names {
            let entry = entries
                .iter()
                .find(|entry| entry.contains(&format!("name = \"{wanted}\"")))
                .unwrap();
            ordered.push_str("[[exercises]]");
            ordered.push_str(entry);
        }
        fs::write(course.path("info.toml"), ordered).unwrap();
        for side in ["exercises", "solutions"] {
            for entry in fs::read_dir(course.path(&format!("{side}/{dir}")))
                .unwrap()
                .flatten()
            {
                let file = entry.file_name().into_string().unwrap();
                if let Some(stem) = file.strip_suffix(".rs")
                    && !names.contains(&stem)
                {
                    fs::remove_file(entry.path()).unwrap();
                }
            }
        }
        course
    }

    /// Starts `threadlings watch --events json` on this course.
    fn watch(&self) -> Watch {
        self.watch_with(&[])
    }

    /// The same, with more arguments (`--poll`, `--manual`).
    fn watch_with(&self, args: &[&str]) -> Watch {
        let mut child = Command::new(BIN)
            .args(["watch", "--events", "json"])
            .args(args)
            .arg("--course-dir")
            .arg(&self.root)
            .env("NO_COLOR", "1")
            .env("XDG_STATE_HOME", state_home())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the threadlings binary starts");
        let stdout = child.stdout.take().unwrap();
        let mut stderr = child.stderr.take().unwrap();
        let said = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&said);
        thread::spawn(move || {
            let mut text = String::new();
            let _ = std::io::Read::read_to_string(&mut stderr, &mut text);
            *sink.lock().unwrap() = text;
        });
        let (lines_tx, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let event: Value = serde_json::from_str(&line)
                    .unwrap_or_else(|err| panic!("not JSON ({err}): {line}"));
                if lines_tx.send(event).is_err() {
                    break;
                }
            }
        });
        Watch {
            child,
            lines,
            seen: Vec::new(),
            stderr: said,
        }
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
        self.threadlings_with_env(args, &[])
    }

    fn threadlings_with_env(&self, args: &[&str], env: &[(&str, &Path)]) -> Run {
        let output = Command::new(BIN)
            .args(args)
            .envs(env.iter().copied())
            .arg("--course-dir")
            .arg(&self.root)
            .env("NO_COLOR", "1")
            .env("XDG_STATE_HOME", state_home())
            .env_remove("THREADLINGS_COURSE_DIR")
            .output()
            .expect("the threadlings binary runs");
        Run { output }
    }

    /// `args`, which must end within `bound`: a grader that was frozen or hangs fails the
    /// test instead of hanging it.
    fn threadlings_within(&self, args: &[&str], env: &[(&str, &str)], bound: Duration) -> Run {
        let mut child = Command::new(BIN)
            .args(args)
            .envs(env.iter().copied())
            .arg("--course-dir")
            .arg(&self.root)
            .env("NO_COLOR", "1")
            .env_remove("THREADLINGS_COURSE_DIR")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the threadlings binary starts");
        let deadline = std::time::Instant::now() + bound;
        while child.try_wait().unwrap().is_none() {
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "`threadlings {}` did not end within {bound:?}",
                    args.join(" ")
                );
            }
            thread::sleep(Duration::from_millis(20));
        }
        Run {
            output: child.wait_with_output().unwrap(),
        }
    }

    /// `run NAME --json`, parsed.
    fn run_json(&self, name: &str) -> Value {
        self.threadlings(&["run", name, "--json"]).json()
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    /// Replaces `from` with `to` in the file at `relative`, as a learner's edit would; the
    /// text must be there.
    fn edit(&self, relative: &str, from: &str, to: &str) {
        let path = self.path(relative);
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{relative} has no `{from}`");
        fs::write(&path, text.replace(from, to)).unwrap();
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

/// A running `watch --events json`, read event by event.
struct Watch {
    child: Child,
    lines: mpsc::Receiver<Value>,
    seen: Vec<Value>,
    stderr: Arc<Mutex<String>>,
}

/// How long a test waits for the next event before it calls the loop stuck.
const EVENT_BOUND: Duration = Duration::from_secs(120);

impl Watch {
    /// The next event matching `wanted`, skipping others (which are kept in `seen`).
    fn until(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        loop {
            let event = self.lines.recv_timeout(EVENT_BOUND).unwrap_or_else(|_| {
                panic!(
                    "no {what} event; saw {:#?}\nstderr: {}",
                    self.seen,
                    self.stderr.lock().unwrap()
                )
            });
            self.seen.push(event.clone());
            if wanted(&event) {
                return event;
            }
        }
    }

    fn verdict_of(&mut self, exercise: &str) -> Value {
        self.until(&format!("verdict of {exercise}"), |event| {
            event["event"] == "verdict" && event["exercise"] == exercise
        })
    }

    fn started(&mut self, exercise: &str) {
        self.until(&format!("start of {exercise}"), |event| {
            event["event"] == "started" && event["exercise"] == exercise
        });
    }

    fn send(&mut self, command: &str) {
        let stdin = self.child.stdin.as_mut().unwrap();
        writeln!(stdin, "{command}").unwrap();
        stdin.flush().unwrap();
    }

    /// Quits with `q` and waits for the process to end.
    fn quit(&mut self) -> Vec<Value> {
        self.send("q");
        let status = self.child.wait().unwrap();
        assert!(status.success(), "watch exited with {status}");
        // The reader thread ends when the pipe closes: everything printed is in `lines`.
        while let Ok(event) = self.lines.recv_timeout(EVENT_BOUND) {
            self.seen.push(event);
        }
        self.seen.clone()
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn verdicts(events: &[Value]) -> Vec<(String, String)> {
    events
        .iter()
        .filter(|event| event["event"] == "verdict")
        .map(|event| {
            (
                event["exercise"].as_str().unwrap().to_owned(),
                event["verdict"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Saves `contents` to `path` the way editors with "safe write" do: a temporary file,
/// renamed over the original.
fn save_by_rename(path: &Path, contents: &str) {
    let temp = path.with_extension("rs.tmp~");
    fs::write(&temp, contents).unwrap();
    fs::rename(&temp, path).unwrap();
}

/// Where the grader keeps its key during the tests (never the developer's own).
fn state_home() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("state-home")
}

/// The grader's content hash of a file (FNV-1a, as `engine::content_hash`).
fn content_hash(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// A copied fixture's manifests name the testkit by a path relative to the fixture's
/// place in the repository: make it absolute, and give the copy the workspace's
/// `Cargo.lock`, so the model checker's dependencies resolve to the versions the
/// repository pins without asking the registry.
fn point_at_the_testkit(root: &Path) {
    let testkit = Path::new(env!("CARGO_MANIFEST_DIR")).join("testkit");
    for manifest in ["exercises/Cargo.toml", "solutions/Cargo.toml"] {
        let path = root.join(manifest);
        let Ok(text) = fs::read_to_string(&path) else {
            continue;
        };
        let pointed = text.replace(
            "path = \"../../../../testkit\"",
            &format!("path = {:?}", testkit.display().to_string()),
        );
        if pointed != text {
            fs::write(&path, pointed).unwrap();
            let lock = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock");
            if !root.join("Cargo.lock").exists() {
                fs::copy(lock, root.join("Cargo.lock")).unwrap();
            }
        }
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
        // Each test that ended has its own time, within the run's.
        for test in report["tests"].as_array().unwrap() {
            let took = test["duration_ms"].as_u64().expect("a test time");
            assert!(
                took <= report["duration_ms"].as_u64().unwrap(),
                "{report:#}"
            );
        }
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

    /// `run NAME --json` on a hang the watcher must stop early: a deadlock verdict well
    /// before the 10 s limit (the bound is loose on purpose: this is not a timing test).
    fn early_deadlock(name: &str) -> Value {
        let report = Course::fixture().run_json(name);
        assert_eq!(verdict(&report), "timeout", "{report:#}");
        if cfg!(target_os = "linux") {
            assert_eq!(report["diagnosis"]["kind"], "deadlock", "{report:#}");
            assert_eq!(report["diagnosis"]["early"], true, "{report:#}");
            let took = report["duration_ms"].as_u64().unwrap();
            assert!(
                took < 6_000,
                "{name}: the deadlock took {took} ms to report"
            );
        }
        report
    }

    /// The diagnosis's threads as `(name, waits, joins, file:line)`, harness left out.
    fn where_threads_wait(report: &Value) -> Vec<(String, String, String, String)> {
        let threads = report["diagnosis"]["threads"].as_array().unwrap();
        let name_of = |tid: &Value| {
            threads
                .iter()
                .find(|thread| thread["tid"] == *tid)
                .map_or(String::new(), |thread| {
                    thread["name"].as_str().unwrap().to_owned()
                })
        };
        let mut found: Vec<_> = threads
            .iter()
            .filter(|thread| thread["main"] == false)
            .map(|thread| {
                let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
                let at = &thread["at"];
                (
                    text(&thread["name"]),
                    text(&thread["waits"]),
                    name_of(&thread["joins"]),
                    if at.is_null() {
                        String::new()
                    } else {
                        format!("{}:{}", text(&at["file"]), at["line"])
                    },
                )
            })
            .collect();
        found.sort();
        found
    }

    fn row(name: &str, waits: &str, joins: &str, at: &str) -> (String, String, String, String) {
        (name.into(), waits.into(), joins.into(), at.into())
    }

    /// On Linux x86_64 with ptrace allowed (the development machines and CI), the threads'
    /// stacks name the learner's lines.
    fn stacks_read(report: &Value) -> bool {
        cfg!(all(target_os = "linux", target_arch = "x86_64"))
            && report["diagnosis"]["stacks"]["status"] == "read"
    }

    #[test]
    fn locks_taken_in_opposite_orders_are_a_deadlock_reported_early() {
        let report = early_deadlock("lock_order");
        if stacks_read(&report) {
            assert_eq!(
                where_threads_wait(&report),
                [
                    row("reverse-transfer", "lock", "", "lock_order.rs:18"),
                    row(
                        "tests::both_transfers_finish",
                        "lock",
                        "",
                        "lock_order.rs:25"
                    ),
                ]
            );
        }
    }

    #[test]
    fn a_channel_never_closed_is_a_deadlock_reported_early() {
        let report = early_deadlock("channel_open");
        if stacks_read(&report) {
            assert_eq!(
                where_threads_wait(&report),
                [
                    row("logger", "receive", "", "channel_open.rs:13"),
                    row(
                        "tests::every_line_is_logged",
                        "join",
                        "logger",
                        "channel_open.rs:22"
                    ),
                ]
            );
        }
        let human = Course::fixture()
            .threadlings(&["run", "channel_open"])
            .stdout();
        if cfg!(all(target_os = "linux", target_arch = "x86_64")) && !human.contains("not known") {
            assert!(
                human.contains(
                    "thread 'logger' waits to receive at channel_open.rs:13 — no sender will \
                     ever send again"
                ),
                "{human}"
            );
        }
    }

    #[test]
    fn a_join_on_a_thread_that_waits_for_the_joiner_is_reported_early() {
        let report = early_deadlock("join_cycle");
        if stacks_read(&report) {
            assert_eq!(
                where_threads_wait(&report),
                [
                    row("doubler", "receive", "", "join_cycle.rs:11"),
                    row("tests::doubles", "join", "doubler", "join_cycle.rs:13"),
                ]
            );
        }
    }

    #[test]
    fn a_condvar_nobody_notifies_is_reported_early() {
        let report = early_deadlock("condvar_unnotified");
        if stacks_read(&report) {
            assert_eq!(
                where_threads_wait(&report),
                [row(
                    "tests::the_value_arrives",
                    "condvar",
                    "",
                    "condvar_unnotified.rs:16"
                )]
            );
        }
    }

    #[test]
    fn a_test_that_sleeps_is_never_cut_short() {
        let report = Course::fixture().run_json("sleeps");
        assert_eq!(verdict(&report), "pass", "{report:#}");
        assert!(report["duration_ms"].as_u64().unwrap() >= 3_000);
    }

    #[test]
    fn a_test_that_sleeps_past_its_limit_is_slow_not_deadlocked() {
        let course = Course::private_with("oversleeps", &["sleeps"]);
        course.edit(
            "info.toml",
            "hints = [\"sleeps hint one\", \"sleeps hint two\"]\ntimeout = 10",
            "hints = [\"sleeps hint one\", \"sleeps hint two\"]\ntimeout = 1",
        );
        let report = course.run_json("sleeps");
        assert_eq!(verdict(&report), "timeout", "{report:#}");
        assert_eq!(report["diagnosis"]["kind"], "waiting", "{report:#}");
        let summary = report["diagnosis"]["summary"].as_str().unwrap();
        assert!(summary.starts_with("too slow, not stuck"), "{summary}");
    }

    #[test]
    fn a_recv_timeout_loop_that_ends_by_itself_passes() {
        let report = Course::fixture().run_json("recv_timeout_loop");
        assert_eq!(verdict(&report), "pass", "{report:#}");
    }

    #[test]
    fn a_busy_loop_times_out_naming_the_running_thread() {
        let report = Course::fixture().run_json("busy_loop");
        assert_eq!(verdict(&report), "timeout");
        if cfg!(target_os = "linux") {
            assert_eq!(report["diagnosis"]["kind"], "busy_loop", "{report:#}");
            assert_eq!(report["diagnosis"]["threads"][0]["name"], "tests::first");
        }
        if stacks_read(&report) {
            // The spin is lines 8 (the load) and 9 (the pause): either is its line.
            let found = where_threads_wait(&report);
            assert!(
                found == [row("tests::first", "", "", "busy_loop.rs:8")]
                    || found == [row("tests::first", "", "", "busy_loop.rs:9")],
                "the spinning thread and its line: {found:?}"
            );
        }
    }

    #[test]
    fn exit_zero_in_a_test_is_not_a_pass() {
        let run = Course::fixture().threadlings(&["run", "exit_zero", "--json"]);
        assert_eq!(run.code(), 1);
        let report = run.json();
        assert_eq!(verdict(&report), "tampered");
        assert_eq!(report["findings"][0]["kind"], "exited_early", "{report:#}");
        let finding = report["findings"][0]["message"].as_str().unwrap();
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
    fn a_weakened_ordering_is_rejected_by_the_model_checker_naming_the_lines() {
        // The stub publishes with `Relaxed` where the solution has `Release` (line 26).
        let report = Course::fixture().run_json("weak_ordering");
        assert_eq!(verdict(&report), "test_failed", "{report:#}");
        let found = &report["tests"][0]["model"];
        assert_eq!(found["kind"], "data_race", "{report:#}");
        let sites: Vec<(String, u64)> = found["accesses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|access| {
                (
                    access["kind"].as_str().unwrap().to_owned(),
                    access["at"]["line"].as_u64().unwrap(),
                )
            })
            .collect();
        assert!(
            sites.contains(&("write".to_owned(), 26)) && sites.contains(&("read".to_owned(), 33)),
            "{report:#}"
        );
        let human = Course::fixture().threadlings(&["run", "weak_ordering"]);
        assert_eq!(human.code(), 1, "{}", human.stderr());
        let text = human.stdout();
        for wanted in [
            "data race found by the model checker",
            "write by spawned thread #1 at exercises/outcomes/weak_ordering.rs:26:",
            "read  by the test's thread (#0) at exercises/outcomes/weak_ordering.rs:33:",
            "threadlings hint weak_ordering",
            "Causality violation",
        ] {
            assert!(text.contains(wanted), "no {wanted:?} in:\n{text}");
        }
        let solution =
            Course::fixture().threadlings(&["run", "weak_ordering", "--solution", "--json"]);
        assert_eq!(verdict(&solution.json()), "pass", "{}", solution.stdout());
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
            json!({
                "kind": "tests",
                "change": {"kind": "removed", "item": "test `tests::second`"},
                "message": "test `tests::second` was deleted or renamed",
            })
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn an_orphaned_child_is_killed_and_does_not_hang_the_grader() {
        let report = Course::fixture().run_json("orphan_child");
        assert_eq!(verdict(&report), "pass");
        assert_eq!(processes_with("sleep\u{0}987004"), Vec::<u32>::new());
    }
}

#[cfg(target_os = "linux")]
/// Live (not zombie) processes whose command line contains `marker`.
fn processes_with(marker: &str) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let cmdline = fs::read(entry.path().join("cmdline")).unwrap_or_default();
        let zombie = fs::read_to_string(entry.path().join("stat")).is_ok_and(|stat| {
            stat.rsplit_once(") ")
                .is_some_and(|(_, rest)| rest.starts_with('Z'))
        });
        if !zombie && String::from_utf8_lossy(&cmdline).contains(marker) {
            found.push(pid);
        }
    }
    found
}

/// Attacks on the grader (`tests/fixtures/hostile`): none may fool, freeze, outlive or
/// escape it.
#[cfg(target_os = "linux")]
mod containment {
    use super::*;

    fn what_is_enforced() -> Value {
        Course::hostile().threadlings(&["doctor", "--json"]).json()["containment"].clone()
    }

    #[test]
    fn a_forged_result_file_is_not_a_pass() {
        let report = Course::hostile().run_json("forged_results");
        assert_eq!(verdict(&report), "tampered", "{report:#}");
    }

    #[test]
    fn a_test_that_stops_its_parent_cannot_freeze_the_grader() {
        let run = Course::hostile().threadlings_within(
            &["run", "stop_parent", "--json"],
            &[],
            Duration::from_secs(240),
        );
        assert_eq!(verdict(&run.json()), "timeout", "{}", run.stdout());
    }

    #[test]
    fn processes_that_leave_the_test_s_session_do_not_outlive_the_run() {
        let report = Course::hostile().run_json("escaping_child");
        assert_eq!(verdict(&report), "pass", "{report:#}");
        assert_eq!(processes_with("sleep\0987001"), Vec::<u32>::new());
        assert_eq!(processes_with("sleep\0987002"), Vec::<u32>::new());
    }

    #[test]
    fn nothing_outlives_a_killed_grader() {
        let course = Course::hostile();
        // Built first, so that the test process starts soon after the grader does.
        course.threadlings(&["run", "environment"]);
        let mut grader = Command::new(BIN)
            .args(["run", "outlives_grader", "--course-dir"])
            .arg(&course.root)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        while processes_with("sleep\0987003").is_empty() {
            assert!(
                started.elapsed() < Duration::from_secs(240),
                "the attack never started"
            );
            thread::sleep(Duration::from_millis(20));
        }
        grader.kill().unwrap();
        grader.wait().unwrap();
        let killed = std::time::Instant::now();
        loop {
            let left: Vec<u32> = [
                processes_with("sleep\0987003"),
                processes_with("outlives_grader-"),
            ]
            .concat();
            if left.is_empty() {
                break;
            }
            assert!(
                killed.elapsed() < Duration::from_secs(3),
                "processes {left:?} outlived the grader by 3 s"
            );
            thread::sleep(Duration::from_millis(20));
        }
    }

    #[test]
    fn a_test_that_edits_its_own_file_does_not_make_watch_regrade_forever() {
        if what_is_enforced()["read_only_checkout"] != true {
            eprintln!("skipped: this kernel has no Landlock");
            return;
        }
        let course = Course::private_from("hostile", "attacks", "self-edit", &["writes_checkout"]);
        let mut watch = course.watch();
        let verdict = watch.verdict_of("writes_checkout");
        assert_eq!(verdict["verdict"], "pass", "{verdict:#}");
        let starts = watch
            .seen
            .iter()
            .filter(|event| event["event"] == "started")
            .count();
        // An edit during the run would have cancelled it and started another.
        assert_eq!(starts, 1, "{:#?}", watch.seen);
        watch.quit();
    }

    #[test]
    fn a_compiler_that_never_ends_is_a_compile_error_naming_the_limit() {
        for attack in ["compile_loop", "compile_blowup"] {
            let run = Course::hostile().threadlings_within(
                &["run", attack, "--json"],
                &[],
                Duration::from_secs(240),
            );
            let report = run.json();
            assert_eq!(verdict(&report), "compile_error", "{attack}: {report:#}");
            let errors = report["compiler_errors"].as_str().unwrap();
            assert!(
                errors.contains("the compiler was stopped after 5 s of CPU time")
                    || errors.contains("the compiler ran out of its"),
                "{attack}: {errors}"
            );
        }
    }

    #[test]
    fn the_test_sees_a_cleared_environment_and_its_own_scratch_dir() {
        let run = Course::hostile().threadlings_within(
            &["run", "environment", "--json"],
            &[("THREADLINGS_FIXTURE_SECRET", "hunter2")],
            Duration::from_secs(240),
        );
        assert_eq!(verdict(&run.json()), "pass", "{}", run.stdout());
    }

    #[test]
    fn the_checkout_is_read_only_the_scratch_dir_bounded_and_there_is_no_terminal() {
        let enforced = what_is_enforced();
        if enforced["read_only_checkout"] != true || enforced["bounded_scratch"] != true {
            eprintln!("skipped: this kernel enforces only {enforced}");
            return;
        }
        let course = Course::private_hostile("writes-checkout");
        let source =
            fs::read_to_string(course.path("exercises/attacks/writes_checkout.rs")).unwrap();
        // Under `script`, the grader has a controlling terminal that its test must not get.
        let status = Command::new("script")
            .arg("-qec")
            .arg(format!(
                "{BIN} run writes_checkout --course-dir {}",
                course.root.display()
            ))
            .arg("/dev/null")
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .status()
            .expect("`script` (util-linux) runs");
        let report = course.run_json("writes_checkout");
        assert_eq!(verdict(&report), "pass", "{report:#}");
        assert!(
            status.success(),
            "the test could open /dev/tty or write the checkout"
        );
        assert_eq!(
            fs::read_to_string(course.path("exercises/attacks/writes_checkout.rs")).unwrap(),
            source
        );
        assert!(!course.path("forged.txt").exists());
    }
}

mod commands {
    use super::*;

    #[test]
    fn list_json_has_every_exercise_in_order() {
        let list = Course::fixture().threadlings(&["list", "--json"]).json();
        let entries = list.as_array().unwrap();
        assert_eq!(entries.len(), 20);
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
    fn progress_is_reported_per_topic_as_text_json_and_markdown() {
        let course = Course::private("progress-report");
        assert_eq!(course.threadlings(&["run", "pass"]).code(), 0);
        let json = course.threadlings(&["progress", "--json"]).json();
        assert_eq!(
            (json["done"].as_u64(), json["total"].as_u64()),
            (Some(1), Some(20))
        );
        assert_eq!(json["topics"][0]["topic"], "outcomes");
        assert_eq!(
            json["topics"][0]["exercises"][0],
            serde_json::json!({"name": "pass", "done": true})
        );
        let markdown = course.threadlings(&["progress", "--markdown"]).stdout();
        assert!(
            markdown.starts_with("| Topic | Done | Progress |\n|---|---:|---|\n"),
            "{markdown}"
        );
        assert!(markdown.contains("| outcomes | 1/20 |"), "{markdown}");
        let text = course.threadlings(&["progress"]).stdout();
        assert!(text.contains("1 of 20 exercises done"), "{text}");
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
        assert_eq!(reports.len(), 20);
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
    fn an_exercise_without_a_bin_target_is_a_course_error_that_says_what_to_add() {
        let course = Course::private("missing-bin");
        let manifest = course.path("exercises/Cargo.toml");
        let text = fs::read_to_string(&manifest)
            .unwrap()
            .replacen("[[bin]]\nname = \"pass\"\npath = \"outcomes/pass.rs\"\nrequired-features = [\"exercises\"]\n", "", 1);
        fs::write(&manifest, text).unwrap();
        let run = course.threadlings(&["list"]);
        assert_eq!(run.code(), 2);
        let stderr = run.stderr();
        assert!(
            stderr.contains("exercises/Cargo.toml: no bin target for `pass`; add:"),
            "{stderr}"
        );
        assert!(stderr.contains("path = \"outcomes/pass.rs\""), "{stderr}");
    }

    #[test]
    fn a_target_directory_shared_with_another_checkout_cannot_fool_the_grader() {
        // Two checkouts of the course name their artifacts alike; with one
        // CARGO_TARGET_DIR, cargo would trust the other checkout's newer binary.
        let solved = Course::private_with("shared-target-solved", &["failing_test"]);
        let unsolved = Course::private_with("shared-target-unsolved", &["failing_test"]);
        let fixed = fs::read_to_string(solved.path("solutions/outcomes/failing_test.rs")).unwrap();
        fs::write(solved.path("exercises/outcomes/failing_test.rs"), fixed).unwrap();
        let shared = Path::new(env!("CARGO_TARGET_TMPDIR")).join("shared-target");
        let env = [("CARGO_TARGET_DIR", shared.as_path())];
        assert_eq!(
            verdict(
                &solved
                    .threadlings_with_env(&["run", "failing_test", "--json"], &env)
                    .json()
            ),
            "pass"
        );
        let report = unsolved
            .threadlings_with_env(&["run", "failing_test", "--json"], &env)
            .json();
        assert_eq!(verdict(&report), "test_failed");
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

mod first_hour {
    use super::*;

    #[test]
    fn a_file_saved_as_latin_1_or_utf_16_is_a_compile_error_with_an_encoding_hint() {
        let course = Course::private_with("encoding", &["pass"]);
        let path = course.path("exercises/outcomes/pass.rs");
        let stub = fs::read_to_string(&path).unwrap();
        let latin1: Vec<u8> = format!("// café\n{stub}")
            .chars()
            .map(|c| u8::try_from(u32::from(c)).unwrap())
            .collect();
        let mut utf16 = vec![0xff, 0xfe];
        utf16.extend(stub.encode_utf16().flat_map(u16::to_le_bytes));
        for (encoding, bytes) in [("Latin-1", latin1), ("UTF-16", utf16)] {
            fs::write(&path, bytes).unwrap();
            let run = course.threadlings(&["run", "pass", "--json"]);
            assert_eq!(run.code(), 1, "{encoding}: {}", run.stderr());
            let report = run.json();
            assert_eq!(verdict(&report), "compile_error", "{encoding}: {report:#}");
            assert!(
                report["compiler_errors"].to_string().contains("UTF-8"),
                "{encoding}: {report:#}"
            );
            assert!(
                report["notes"].to_string().contains("is not UTF-8 text"),
                "{encoding}: {report:#}"
            );
        }
    }

    #[test]
    fn names_are_found_in_any_case_or_as_paths_and_near_misses_get_a_suggestion() {
        let course = Course::fixture();
        for name in ["PASS", "exercises/outcomes/pass.rs", "pass.rs"] {
            let run = course.threadlings(&["run", name, "--json"]);
            assert_eq!(run.code(), 0, "{name}: {}", run.stderr());
            assert_eq!(run.json()["exercise"], "pass");
        }
        let run = course.threadlings(&["run", "failng_tset"]);
        assert_eq!(run.code(), 2);
        assert!(
            run.stderr().contains("did you mean failing_test?"),
            "{}",
            run.stderr()
        );
    }

    #[test]
    fn after_a_pass_run_shows_what_the_program_printed() {
        let run = Course::fixture().threadlings(&["run", "pass"]);
        assert_eq!(run.code(), 0, "{}", run.stderr());
        let stdout = run.stdout();
        assert!(
            stdout.contains("Output of pass's main():\n  │ 42\n"),
            "{stdout}"
        );
    }

    #[test]
    fn verify_prints_in_course_order_whatever_order_the_names_were_given_in() {
        let run = Course::fixture().threadlings(&[
            "verify",
            "--solutions",
            "deleted_test",
            "pass",
            "failing_test",
            "pass",
        ]);
        assert_eq!(run.code(), 0, "{}", run.stderr());
        let order: Vec<String> = run
            .stdout()
            .lines()
            .filter_map(|line| line.strip_prefix("✓ "))
            .map(|rest| rest.split(' ').next().unwrap().to_owned())
            .collect();
        assert_eq!(order, ["pass", "failing_test", "deleted_test"]);
    }

    /// `--output-format verdicts` (`grader/src/report/verdicts.rs` and its line in
    /// `report::FORMATS`, nothing else): a format is one file and its registration.
    #[test]
    fn the_verdicts_format_prints_one_line_per_verdict_in_course_order() {
        let run = Course::fixture().threadlings(&[
            "verify",
            "--output-format",
            "verdicts",
            "failing_test",
            "pass",
            "compile_error",
        ]);
        assert_eq!(run.code(), 1, "{}", run.stderr());
        assert_eq!(
            run.stdout(),
            "pass pass\ncompile_error compile_error\nfailing_test test_failed\n"
        );
    }

    #[test]
    fn failures_advise_the_backtrace_option_not_the_variable_the_grader_overrides() {
        let run = Course::fixture().threadlings(&["run", "failing_test"]);
        let stdout = run.stdout();
        assert!(!stdout.contains("RUST_BACKTRACE=1"), "{stdout}");
        assert!(
            stdout.contains("`threadlings run failing_test --backtrace`"),
            "{stdout}"
        );
    }

    #[test]
    fn messages_name_cargo_threadlings_when_cargo_started_the_grader() {
        let course = Course::private_with("invoked-by-cargo", &["pass"]);
        // Where `cargo threadlings` (cargo run) puts the grader: the course's own target/.
        let via_cargo = course.path("target/debug/threadlings");
        fs::create_dir_all(via_cargo.parent().unwrap()).unwrap();
        fs::copy(BIN, &via_cargo).unwrap();
        let output = Command::new(&via_cargo)
            .args(["hint", "pass", "--course-dir"])
            .arg(&course.root)
            .env("NO_COLOR", "1")
            .env("XDG_STATE_HOME", state_home())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            stdout.contains("`cargo threadlings hint pass` again"),
            "{stdout}"
        );
        let installed = course.threadlings(&["solution", "pass"]).stderr();
        assert!(
            installed.contains("`threadlings hint pass` gives a nudge instead"),
            "{installed}"
        );
    }

    /// Line mode (no terminal): hints, the list and the verdict's errors are printed, and
    /// the end of stdin ends the loop once the running check is over.
    #[test]
    fn line_mode_prints_what_the_keys_show_and_ends_with_stdin() {
        let course = Course::private_with("line-mode", &["failing_test", "pass"]);
        let mut child = Command::new(BIN)
            .arg("watch")
            .arg("--course-dir")
            .arg(&course.root)
            .env("NO_COLOR", "1")
            .env("XDG_STATE_HOME", state_home())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        {
            let mut stdin = child.stdin.take().unwrap();
            writeln!(stdin, "h\nl\nx").unwrap();
            // Dropped: stdin ends.
        }
        let (done_tx, done) = mpsc::channel();
        thread::spawn(move || {
            let _ = done_tx.send(child.wait_with_output());
        });
        let output = done
            .recv_timeout(EVENT_BOUND)
            .expect("line mode ends when stdin does")
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{stdout}");
        assert!(
            stdout.contains("hint 1/2: failing_test hint one"),
            "{stdout}"
        );
        assert!(stdout.contains("› · failing_test"), "{stdout}");
        assert!(stdout.contains("  · pass"), "{stdout}");
        assert!(
            stdout.contains("✗ failing_test: 1 of 2 tests failed")
                && stdout.contains("panicked at"),
            "the verdict with its errors: {stdout}"
        );
        assert!(stdout.contains("use the `reset` command"), "{stdout}");
        let hints = fs::read_to_string(course.path(".threadlings/state.json")).unwrap();
        assert!(hints.contains("\"failing_test\": 1"), "{hints}");
    }

    #[test]
    fn events_mode_sends_hints_the_list_and_the_solution() {
        let course = Course::private_with("events-views", &["failing_test", "pass"]);
        let mut watch = course.watch();
        watch.verdict_of("failing_test");
        watch.send("h");
        let hint = watch.until("hint", |event| event["event"] == "hint");
        assert_eq!(hint["exercise"], "failing_test");
        assert_eq!(hint["number"], 1);
        assert_eq!(hint["hint"], "failing_test hint one");
        watch.send("l");
        let list = watch.until("list", |event| event["event"] == "list");
        assert_eq!(list["exercises"][1]["name"], "pass");
        let fixed = fs::read_to_string(course.path("solutions/outcomes/failing_test.rs")).unwrap();
        fs::write(course.path("exercises/outcomes/failing_test.rs"), &fixed).unwrap();
        assert_eq!(watch.verdict_of("failing_test")["verdict"], "pass");
        // As rustlings does: the program runs after the pass, and its output is shown
        // (while the loop has already moved on to the next exercise: in either order).
        let (mut output, mut next_graded) = (None, false);
        while output.is_none() || !next_graded {
            let event = watch.until("output, verdict of pass", |event| {
                (event["event"] == "output" && event["exercise"] == "failing_test")
                    || (event["event"] == "verdict" && event["exercise"] == "pass")
            });
            if event["event"] == "output" {
                output = Some(event);
            } else {
                next_graded = true;
            }
        }
        assert_eq!(output.unwrap()["stdout"], "42\n");
        watch.send("s");
        let solution = watch.until("solution", |event| event["event"] == "solution");
        assert_eq!(solution["exercise"], "pass");
        assert!(solution["solution"].as_str().unwrap().contains("fn work"));
        watch.quit();
    }

    /// Quitting during a check-all (with a run that would take long) records nothing: the
    /// cancelled runs are not verdicts, and finished exercises stay finished.
    #[test]
    fn quitting_during_a_check_leaves_progress_exactly_as_it_was() {
        let course = Course::private_with("cancel-check", &["pass", "deadlock"]);
        // Long enough that the check cannot end before the quit.
        let info = fs::read_to_string(course.path("info.toml")).unwrap();
        fs::write(
            course.path("info.toml"),
            info.replace("timeout = 2\n", "timeout = 600\n"),
        )
        .unwrap();
        assert_eq!(course.threadlings(&["run", "pass"]).code(), 0);
        let state = course.path(".threadlings/state.json");
        let before = fs::read(&state).unwrap();
        let mut watch = course.watch();
        watch.started("deadlock");
        watch.send("c");
        watch.until("pass checked", |event| {
            event["event"] == "checked" && event["exercise"] == "pass"
        });
        let events = watch.quit();
        assert!(verdicts(&events).is_empty(), "{events:#?}");
        // (Only the welcome, shown at the start, is new.)
        let records =
            |bytes: &[u8]| serde_json::from_slice::<Value>(bytes).unwrap()["exercises"].clone();
        assert_eq!(records(&fs::read(&state).unwrap()), records(&before));
        let list = course.threadlings(&["list", "--json"]).json();
        assert_eq!(list[0]["done"], true, "{list:#}");
    }
}

mod watch {
    use super::*;

    #[test]
    fn saves_in_place_and_by_rename_are_graded_and_the_loop_moves_on() {
        let course = Course::private_with("watch-saves", &["failing_test", "compile_error"]);
        let mut watch = course.watch();
        assert_eq!(watch.verdict_of("failing_test")["verdict"], "test_failed");
        let fixed = fs::read_to_string(course.path("solutions/outcomes/failing_test.rs")).unwrap();
        fs::write(course.path("exercises/outcomes/failing_test.rs"), &fixed).unwrap();
        assert_eq!(watch.verdict_of("failing_test")["verdict"], "pass");
        watch.until("next", |event| {
            event["event"] == "next" && event["exercise"] == "compile_error"
        });
        assert_eq!(
            watch.verdict_of("compile_error")["verdict"],
            "compile_error"
        );
        let fixed = fs::read_to_string(course.path("solutions/outcomes/compile_error.rs")).unwrap();
        save_by_rename(&course.path("exercises/outcomes/compile_error.rs"), &fixed);
        assert_eq!(watch.verdict_of("compile_error")["verdict"], "pass");
        // The last exercise passed: a full check, then the end.
        watch.until("done", |event| event["event"] == "done");
        let events = watch.quit();
        assert_eq!(
            verdicts(&events),
            [
                ("failing_test".into(), "test_failed".into()),
                ("failing_test".into(), "pass".into()),
                ("compile_error".into(), "compile_error".into()),
                ("compile_error".into(), "pass".into()),
            ]
        );
        let list = course.threadlings(&["list", "--json"]).json();
        assert!(
            list.as_array()
                .unwrap()
                .iter()
                .all(|entry| entry["done"] == true),
            "{list:#}"
        );
    }

    #[test]
    fn a_save_during_a_slow_check_replaces_it() {
        // A busy loop, not a deadlock: a deadlock is stopped within a second.
        let course = Course::private_with("watch-during", &["busy_loop"]);
        // Long enough that the first run cannot end before the save below.
        let info = fs::read_to_string(course.path("info.toml"))
            .unwrap()
            .replace("\ntimeout = 2\n", "\ntimeout = 600\n");
        fs::write(course.path("info.toml"), info).unwrap();
        let mut watch = course.watch();
        watch.started("busy_loop");
        let fixed = fs::read_to_string(course.path("solutions/outcomes/busy_loop.rs")).unwrap();
        fs::write(course.path("exercises/outcomes/busy_loop.rs"), fixed).unwrap();
        assert_eq!(watch.verdict_of("busy_loop")["verdict"], "pass");
        let events = watch.quit();
        assert_eq!(
            verdicts(&events),
            [("busy_loop".into(), "pass".into())],
            "the hung run's verdict is never shown"
        );
    }

    #[test]
    fn rapid_saves_end_with_the_verdict_of_the_last() {
        let course = Course::private_with("watch-rapid", &["failing_test"]);
        let mut watch = course.watch();
        assert_eq!(watch.verdict_of("failing_test")["verdict"], "test_failed");
        let path = course.path("exercises/outcomes/failing_test.rs");
        let broken = fs::read_to_string(&path).unwrap();
        let fixed = fs::read_to_string(course.path("solutions/outcomes/failing_test.rs")).unwrap();
        for round in 0..5 {
            fs::write(&path, format!("{broken}\n// attempt {round}\n")).unwrap();
        }
        fs::write(&path, &fixed).unwrap();
        let last = watch.until("a pass", |event| {
            event["event"] == "verdict" && event["verdict"] == "pass"
        });
        assert_eq!(last["exercise"], "failing_test");
        let events = watch.quit();
        let after: Vec<_> = verdicts(&events)
            .into_iter()
            .skip_while(|(_, verdict)| verdict != "pass")
            .collect();
        assert_eq!(
            after,
            [("failing_test".into(), "pass".into())],
            "nothing stale after the pass"
        );
    }

    #[test]
    fn a_hung_exercise_gets_a_diagnosed_timeout_and_the_loop_stays_alive() {
        let course = Course::private_with("watch-hung", &["deadlock"]);
        let mut watch = course.watch();
        let verdict = watch.verdict_of("deadlock");
        assert_eq!(verdict["verdict"], "timeout");
        if cfg!(target_os = "linux") {
            assert_eq!(verdict["diagnosis"]["kind"], "deadlock");
        }
        watch.send("r");
        assert_eq!(
            watch.verdict_of("deadlock")["verdict"],
            "timeout",
            "r re-runs it"
        );
        watch.quit();
    }

    #[test]
    fn polling_notices_saves_too() {
        let course = Course::private_with("watch-poll", &["failing_test"]);
        let mut watch = course.watch_with(&["--poll"]);
        assert_eq!(watch.verdict_of("failing_test")["verdict"], "test_failed");
        let fixed = fs::read_to_string(course.path("solutions/outcomes/failing_test.rs")).unwrap();
        fs::write(course.path("exercises/outcomes/failing_test.rs"), fixed).unwrap();
        assert_eq!(watch.verdict_of("failing_test")["verdict"], "pass");
        watch.quit();
    }

    #[test]
    fn manual_mode_grades_only_on_r() {
        let course = Course::private_with("watch-manual", &["failing_test", "pass"]);
        let mut watch = course.watch_with(&["--manual"]);
        assert_eq!(watch.verdict_of("failing_test")["verdict"], "test_failed");
        let fixed = fs::read_to_string(course.path("solutions/outcomes/failing_test.rs")).unwrap();
        fs::write(course.path("exercises/outcomes/failing_test.rs"), fixed).unwrap();
        // Nothing happens until `r`: the next verdict is the one `r` asked for.
        watch.send("r");
        assert_eq!(watch.verdict_of("failing_test")["verdict"], "pass");
        let events = watch.quit();
        let starts = events
            .iter()
            .filter(|event| event["event"] == "started" && event["exercise"] == "failing_test")
            .count();
        assert_eq!(starts, 2, "the save alone started nothing: {events:#?}");
    }

    #[test]
    fn the_state_file_survives_a_killed_loop() {
        let course = Course::private_with("watch-killed", &["pass", "failing_test"]);
        let mut watch = course.watch();
        assert_eq!(watch.verdict_of("pass")["verdict"], "pass");
        watch.started("failing_test");
        watch.child.kill().unwrap();
        watch.child.wait().unwrap();
        let state = fs::read_to_string(course.path(".threadlings/state.json")).unwrap();
        let state: Value = serde_json::from_str(&state).expect("the state file is whole");
        assert_eq!(state["exercises"]["pass"]["verdict"], "pass");
        let list = course.threadlings(&["list", "--json"]).json();
        assert_eq!(list[0]["done"], true);
    }
}

mod trust {
    use super::*;

    #[test]
    fn a_macro_shadowing_an_assertion_above_the_tests_is_tampering() {
        let course = Course::private_with("trust-shadow", &["failing_test"]);
        course.edit(
            "exercises/outcomes/failing_test.rs",
            "#[cfg(test)]",
            "macro_rules! assert_eq { ($($t:tt)*) => {}; }\n\n#[cfg(test)]",
        );
        let report = course.run_json("failing_test");
        assert_eq!(verdict(&report), "tampered", "{report:#}");
        assert_eq!(
            report["findings"][0]["change"]["kind"], "shadows",
            "{report:#}"
        );
        assert_eq!(report["findings"][0]["change"]["line"], 9, "{report:#}");
        let finding = report["findings"][0]["message"].as_str().unwrap();
        assert!(
            finding.contains("macro_rules! `assert_eq` (line 9)"),
            "{finding}"
        );
    }

    #[test]
    fn terminal_control_sequences_in_test_output_are_shown_escaped() {
        let course = Course::private_with("trust-terminal", &["failing_test"]);
        course.edit(
            "exercises/outcomes/failing_test.rs",
            "    41\n",
            "    print!(\"\\x1b]0;pwned\\x07\\x1b[2J\\r✓ failing_test passed\\n\");\n    41\n",
        );
        let run = course.threadlings(&["run", "failing_test"]);
        assert_eq!(run.code(), 1);
        let stdout = run.stdout();
        assert!(
            !stdout.contains('\x1b') && !stdout.contains('\r'),
            "{stdout:?}"
        );
        assert!(
            stdout.contains("\\x1b]0;pwned\\x07\\x1b[2J\\r✓ failing_test passed"),
            "{stdout}"
        );
    }

    #[test]
    fn a_forged_progress_record_is_not_counted() {
        let course = Course::private_with("trust-forged-state", &["pass", "failing_test"]);
        assert_eq!(course.threadlings(&["run", "pass"]).code(), 0);
        let stub = fs::read_to_string(course.path("exercises/outcomes/failing_test.rs")).unwrap();
        let state_path = course.path(".threadlings/state.json");
        let mut state: Value =
            serde_json::from_str(&fs::read_to_string(&state_path).unwrap()).unwrap();
        // What a test could write: a pass for the content on disk, and the real record's
        // signature copied onto it.
        let mut forged = state["exercises"]["pass"].clone();
        forged["hash"] = Value::from(content_hash(&stub));
        state["exercises"]["failing_test"] = forged;
        fs::write(&state_path, state.to_string()).unwrap();
        let run = course.threadlings(&["list", "--json"]);
        let list = run.json();
        assert_eq!(list[0]["done"], true, "the real pass still counts");
        assert_eq!(list[1]["done"], false, "the forged pass does not");
        assert!(
            run.stderr()
                .contains("did not record, which is ignored: failing_test"),
            "{}",
            run.stderr()
        );
        let progress = course.threadlings(&["progress", "--json"]).json();
        assert_eq!(progress["done"], 1);
    }

    #[test]
    fn a_state_that_cannot_be_saved_still_shows_the_verdict() {
        let course = Course::private_with("trust-unwritable-state", &["pass", "failing_test"]);
        // A file where the state directory should be: nothing can be saved.
        fs::write(course.path(".threadlings"), "not a directory").unwrap();
        let run = course.threadlings(&["run", "pass"]);
        assert_eq!(run.code(), 0, "{}", run.stderr());
        assert!(run.stdout().contains("pass passed"), "{}", run.stdout());
        assert!(
            run.stderr().contains("progress could not be saved"),
            "{}",
            run.stderr()
        );
        let run = course.threadlings(&["run", "failing_test"]);
        assert_eq!(run.code(), 1, "{}", run.stderr());
        assert!(
            run.stdout().contains("1 of 2 tests failed"),
            "{}",
            run.stdout()
        );
        let run = course.threadlings(&["verify", "--json"]);
        assert_eq!(run.code(), 1, "{}", run.stderr());
        assert_eq!(run.json().as_array().unwrap().len(), 2);
    }

    #[test]
    fn watch_shows_verdicts_when_progress_cannot_be_saved() {
        let course = Course::private_with("trust-unwritable-watch", &["pass", "failing_test"]);
        fs::write(course.path(".threadlings"), "not a directory").unwrap();
        let mut watch = course.watch();
        assert_eq!(watch.verdict_of("pass")["verdict"], "pass");
        assert_eq!(watch.verdict_of("failing_test")["verdict"], "test_failed");
        let events = watch.quit();
        assert!(
            events.iter().any(|event| event["event"] == "notice"
                && event["message"]
                    .as_str()
                    .is_some_and(|message| message.contains("progress"))),
            "{events:#?}"
        );
    }

    #[test]
    fn a_state_file_that_is_a_directory_is_set_aside() {
        let course = Course::private_with("trust-directory-state", &["pass"]);
        fs::create_dir_all(course.path(".threadlings/state.json/inside")).unwrap();
        let run = course.threadlings(&["run", "pass"]);
        assert_eq!(run.code(), 0, "{}", run.stderr());
        assert!(
            run.stderr().contains("it is not a file"),
            "{}",
            run.stderr()
        );
        assert!(
            course
                .path(".threadlings/state.json.corrupt/inside")
                .is_dir()
        );
        assert!(course.path(".threadlings/state.json").is_file());
        assert_eq!(
            course.threadlings(&["list", "--json"]).json()[0]["done"],
            true
        );
    }

    /// Runs git in `root`, as a course author would to commit the course.
    pub(super) fn git_in(root: &Path, args: &[&str]) {
        let output = Command::new("git")
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@t",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .current_dir(root)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    #[test]
    fn a_test_removed_from_both_the_exercise_and_solutions_is_tampering() {
        let course = Course::private_with("trust-weakened-solution", &["failing_test"]);
        git_in(&course.root, &["init", "-q"]);
        git_in(&course.root, &["add", "."]);
        git_in(&course.root, &["commit", "-qm", "course"]);
        let weaken = |relative: &str| {
            let path = course.path(relative);
            let text = fs::read_to_string(&path).unwrap();
            let weaker = text.replace(
                "    #[test]\n    fn first() {\n        assert_eq!(work(), 42);\n    }\n",
                "",
            );
            assert_ne!(weaker, text, "{relative}");
            fs::write(&path, weaker).unwrap();
        };
        weaken("exercises/outcomes/failing_test.rs");
        weaken("solutions/outcomes/failing_test.rs");
        let report = course.run_json("failing_test");
        assert_eq!(verdict(&report), "tampered", "{report:#}");
        assert_eq!(
            report["findings"][0]["message"],
            "test `tests::first` was deleted or renamed"
        );
        assert!(
            report["notes"].as_array().unwrap().iter().any(|note| note
                == "solutions/outcomes/failing_test.rs differs from the committed course; \
                    graded against the committed tests"),
            "{report:#}"
        );
        // The author's self-check reads the working tree: there, the two files agree.
        let check = course.threadlings(&["dev", "check"]);
        assert!(!check.stdout().contains("tampered"), "{}", check.stdout());
    }

    #[test]
    fn a_course_without_git_falls_back_to_the_working_tree_and_says_so() {
        let course = Course::private_with("trust-no-git", &["pass"]);
        // Outside any repository (the fixture copies live in this checkout's target/).
        let env = [("GIT_CEILING_DIRECTORIES", course.root.parent().unwrap())];
        let report = course
            .threadlings_with_env(&["run", "pass", "--json"], &env)
            .json();
        assert_eq!(verdict(&report), "pass", "{report:#}");
        let notes = report["notes"].to_string();
        assert!(
            notes.contains("read from solutions/ in the working tree"),
            "{notes}"
        );
    }

    #[test]
    fn an_exercise_replaced_by_an_older_dated_copy_is_rebuilt() {
        let course = Course::private_with("trust-older-copy", &["failing_test"]);
        let path = course.path("exercises/outcomes/failing_test.rs");
        let report = course.run_json("failing_test");
        assert_eq!(verdict(&report), "test_failed", "{report:#}");
        // `cp -p` of a solution written yesterday: new content, an mtime older than the
        // stub's build.
        let solved = fs::read_to_string(course.path("solutions/outcomes/failing_test.rs")).unwrap();
        fs::write(&path, &solved).unwrap();
        let yesterday = std::time::SystemTime::now() - Duration::from_secs(24 * 3600);
        fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(yesterday)
            .unwrap();
        let report = course.run_json("failing_test");
        assert_eq!(verdict(&report), "pass", "{report:#}");
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            solved,
            "content untouched"
        );
        // Graded again with nothing changed: the file's time is left alone.
        let touched = fs::metadata(&path).unwrap().modified().unwrap();
        assert_eq!(verdict(&course.run_json("failing_test")), "pass");
        assert_eq!(fs::metadata(&path).unwrap().modified().unwrap(), touched);
        // The same in a batch.
        fs::write(
            &path,
            fs::read_to_string(course.path("exercises/outcomes/failing_test.rs"))
                .unwrap()
                .replacen("    42\n", "    40\n", 1),
        )
        .unwrap();
        fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(yesterday)
            .unwrap();
        let reports = course.threadlings(&["verify", "--json"]).json();
        assert_eq!(verdict(&reports[0]), "test_failed", "{reports:#}");
    }

    #[test]
    fn a_learner_test_module_placed_before_the_tests_is_allowed() {
        let course = Course::private_with("trust-own-tests", &["pass"]);
        course.edit(
            "exercises/outcomes/pass.rs",
            "#[cfg(test)]\nmod tests {",
            "#[cfg(test)]\nmod my_tests {\n    #[test]\n    fn mine() {\n        assert_eq!(super::work(), 42);\n    }\n}\n\n#[cfg(test)]\nmod tests {",
        );
        let report = course.run_json("pass");
        assert_eq!(verdict(&report), "pass", "{report:#}");
    }
}

mod course_self_check {
    use super::*;

    /// A model-checked solution must use the weakest correct orderings: `dev check`
    /// builds every single-ordering weakening and reports one that still passes.
    #[test]
    fn dev_check_reports_an_ordering_stronger_than_needed() {
        let course = Course::private_with("too-strong", &["weak_ordering"]);
        let solution = course.path("solutions/outcomes/weak_ordering.rs");
        let text = fs::read_to_string(&solution)
            .unwrap()
            .replace("Ordering::Release", "Ordering::SeqCst");
        fs::write(&solution, &text).unwrap();
        // Hand-written answers of a model-checked lesson are graded with the weakenings,
        // under the model checker, and need no `[[bin]]`.
        for (kind, slug, first, code) in [
            (
                "wrong",
                "all_relaxed",
                "// WRONG: every ordering Relaxed",
                "Ordering::Relaxed",
            ),
            (
                "wrong",
                "still_strong",
                "// WRONG: not wrong at all",
                "Ordering::SeqCst",
            ),
            (
                "alt",
                "seq_cst",
                "// ALT: SeqCst everywhere",
                "Ordering::SeqCst",
            ),
        ] {
            let variant = course.path(&format!(
                "solutions/outcomes/{kind}/weak_ordering_{slug}.rs"
            ));
            fs::create_dir_all(variant.parent().unwrap()).unwrap();
            // The learner's part only: `dev check` puts the solution's tests in.
            let (code_part, _tests) = text.split_once("#[cfg(test)]\nmod tests").unwrap();
            let code_part = code_part
                .replace("Ordering::Release", code)
                .replace("Ordering::Acquire", code);
            fs::write(&variant, format!("{first}\n{code_part}")).unwrap();
        }
        let run = course.threadlings(&["dev", "check"]);
        let out = format!("{}\n{}", run.stdout(), run.stderr());
        assert_eq!(run.code(), 1, "{out}");
        for wanted in [
            "3 single-ordering weakenings of 1 model-checked solutions must fail",
            "solution of `weak_ordering` weakened at line 27: `store` with Release instead of SeqCst still passes",
            "rejected: `weak_ordering` line 27: `store` with Relaxed instead of SeqCst: failed: tests::a_reader_that_sees_the_flag_sees_the_value (data race",
            "rejected: `weak_ordering` line 31: `load` with Relaxed instead of Acquire",
            "so must 2 hand-written wrong answers, and 1 alternatives must pass, under the model checker",
            "✓ wrong answer `weak_ordering_all_relaxed` of `weak_ordering`: rejected by the model checker (failed: tests::a_reader_that_sees_the_flag_sees_the_value (data race",
            "wrong answer `weak_ordering_still_strong` of `weak_ordering` passed the model checker: its tests do not reject it (not wrong at all)",
            "✓ alternative `weak_ordering_seq_cst` of `weak_ordering`: passed the model checker",
        ] {
            assert!(out.contains(wanted), "no {wanted:?} in:\n{out}");
        }
    }

    /// Authors check what they work on: `dev check` grades the named exercises (or
    /// folders) only, and still checks the course's layout whole.
    #[test]
    fn dev_check_grades_only_the_exercises_it_is_given() {
        let course = Course::private_with("check-some", &["pass", "failing_test"]);
        let run = course.threadlings(&["dev", "check", "pass"]);
        let out = format!("{}\n{}", run.stdout(), run.stderr());
        assert!(out.contains("grading 1 solutions"), "{out}");
        assert!(out.contains("grading 1 stubs"), "{out}");
        assert!(
            out.contains("`failing_test` has 0 wrong answer(s)"),
            "the layout is checked whole:\n{out}"
        );
        // The same in JSON: one document, each problem typed and about an exercise.
        let run = course.threadlings(&["dev", "check", "pass", "--json"]);
        assert_eq!(run.code(), 1, "{}", run.stderr());
        let report = run.json();
        assert_eq!(report["solutions_checked"], 1, "{report:#}");
        assert!(
            report["problems"]
                .as_array()
                .unwrap()
                .iter()
                .any(|problem| problem["kind"] == "too_few_wrong_answers"
                    && problem["exercise"] == "failing_test"
                    && problem["message"]
                        .as_str()
                        .unwrap()
                        .contains("has 0 wrong answer(s)")),
            "{report:#}"
        );
        let run = course.threadlings(&["dev", "check", "exercises/outcomes/"]);
        assert!(
            run.stdout().contains("grading 2 solutions"),
            "{}",
            run.stdout()
        );
        let run = course.threadlings(&["dev", "check", "pas"]);
        assert_eq!(run.code(), 2, "{}", run.stderr());
        assert!(
            run.stderr().contains("did you mean pass?"),
            "{}",
            run.stderr()
        );
    }

    fn problems(run: &Run) -> Vec<String> {
        run.stdout()
            .lines()
            // The problems, not the closing count (which counts the stubs graded).
            .filter(|line| line.starts_with('✗') && !line.contains(" problem(s) ("))
            .map(str::to_owned)
            .collect()
    }

    /// `cargo test` on a learner's checkout: the self-check grades the committed stubs,
    /// not the learner's work, and says which of theirs it left alone.
    #[test]
    fn solved_half_solved_and_broken_exercises_leave_the_self_check_as_it_was() {
        let course = Course::private_with(
            "self-check-learner",
            &["failing_test", "panicking_thread", "compile_error"],
        );
        // A consistent course: each stub fails as declared, the limits fit the solutions.
        course.edit("info.toml", "default_timeout = 20", "default_timeout = 5");
        let info = fs::read_to_string(course.path("info.toml")).unwrap();
        let (before, after) = info.split_once("name = \"compile_error\"").unwrap();
        let after = after.replacen("stub = \"test_failed\"", "stub = \"compile_error\"", 1);
        fs::write(
            course.path("info.toml"),
            format!("{before}name = \"compile_error\"{after}"),
        )
        .unwrap();
        trust::git_in(&course.root, &["init", "-q"]);
        trust::git_in(&course.root, &["add", "."]);
        trust::git_in(&course.root, &["commit", "-qm", "course"]);
        let check = || course.threadlings(&["dev", "check", "--committed-stubs"]);
        let pristine = check();
        // Solved, half-solved, broken (and saved in another encoding).
        let solved = fs::read_to_string(course.path("solutions/outcomes/failing_test.rs")).unwrap();
        fs::write(course.path("exercises/outcomes/failing_test.rs"), solved).unwrap();
        let half = course.path("exercises/outcomes/panicking_thread.rs");
        let text = fs::read_to_string(&half).unwrap();
        fs::write(
            &half,
            text.replacen("TODO", "working on it", 1) + "\nfn helper() {}\n",
        )
        .unwrap();
        fs::write(
            course.path("exercises/outcomes/compile_error.rs"),
            b"// caf\xe9: no tests left\nfn main() { let broken: u32 = \"no\"; }\n",
        )
        .unwrap();
        let learner = check();
        // The fixture keeps no wrong answers of its own (the course's rule): those are the
        // only problems, the same before and after the learner's edits.
        assert!(
            problems(&pristine).iter().all(|problem| problem
                .contains("wrong answer(s) in solutions/outcomes/wrong/")
                || problem.contains("problem(s) (3 solutions, 3 stubs")),
            "{}",
            pristine.stdout()
        );
        assert_eq!(learner.code(), pristine.code(), "{}", learner.stdout());
        assert_eq!(
            problems(&learner),
            problems(&pristine),
            "{}",
            learner.stdout()
        );
        assert!(
            learner.stdout().contains(
                "skipped grading 3 stub(s) you have changed since the last commit (your work, \
                 not the course's): failing_test, panicking_thread, compile_error"
            ),
            "{}",
            learner.stdout()
        );
    }

    /// The real course: every stub fails as declared, every solution passes, and the
    /// files agree with info.toml. The README's test command runs this.
    #[test]
    fn the_course_is_consistent() {
        let stress = std::env::var("THREADLINGS_STRESS").unwrap_or_else(|_| "0".to_owned());
        let run =
            Course::real().threadlings(&["dev", "check", "--committed-stubs", "--stress", &stress]);
        assert_eq!(
            run.code(),
            0,
            "dev check failed:\n{}\n{}",
            run.stdout(),
            run.stderr()
        );
    }
}

mod classroom {
    use super::*;

    /// The exercises every class below is graded on.
    const ASSIGNED: [&str; 3] = ["pass", "failing_test", "deadlock"];

    /// A class folder of `students`, each a checkout holding its files of the assigned
    /// exercises: `(student, [(exercise, source)])`.
    fn class(name: &str, students: &[(&str, Vec<(&str, String)>)]) -> PathBuf {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("classes")
            .join(name);
        let _ = fs::remove_dir_all(&root);
        for (student, files) in students {
            let dir = root.join(student).join("exercises/outcomes");
            fs::create_dir_all(&dir).unwrap();
            for (exercise, source) in files {
                fs::write(dir.join(format!("{exercise}.rs")), source).unwrap();
            }
        }
        root
    }

    fn stub(course: &Course, exercise: &str) -> String {
        fs::read_to_string(course.path(&format!("exercises/outcomes/{exercise}.rs"))).unwrap()
    }

    fn solution(course: &Course, exercise: &str) -> String {
        fs::read_to_string(course.path(&format!("solutions/outcomes/{exercise}.rs"))).unwrap()
    }

    /// Every file under `dir`, with its contents: what must not change.
    fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        let mut files = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(dir) = stack.pop() {
            for entry in fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    files.push((path.clone(), fs::read(&path).unwrap()));
                }
            }
        }
        files.sort();
        files
    }

    fn grade(course: &Course, class: &Path, out: &Path, extra: &[&str]) -> Run {
        let mut args = vec![
            "grade",
            class.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--format",
            "json,junit,gradescope,github-classroom,csv,html",
        ];
        for exercise in ASSIGNED {
            args.extend(["--exercise", exercise]);
        }
        args.extend_from_slice(extra);
        course.threadlings(&args)
    }

    fn verdicts(book: &Value, student: &str) -> Vec<String> {
        let student = book["students"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["student"] == student)
            .unwrap_or_else(|| panic!("no {student} in {book:#}"));
        student["exercises"]
            .as_array()
            .unwrap()
            .iter()
            .map(|grade| grade["verdict"].as_str().unwrap().to_owned())
            .collect()
    }

    /// Correct, incomplete, tampering and hostile submissions, and a folder that is not a
    /// checkout: each graded as it deserves, in every format, the hostile ones contained
    /// and flagged, and nothing in the class folder changed.
    #[test]
    fn a_mixed_class_is_graded_correctly_in_every_format() {
        let course = Course::private("class-mixed");
        // Ada's files carry a secret no report may show.
        let solved: Vec<(&str, String)> = ASSIGNED
            .iter()
            .map(|e| {
                (
                    *e,
                    format!("// ada's secret 7f3a9c\n{}", solution(&course, e)),
                )
            })
            .collect();
        let stubs: Vec<(&str, String)> = ASSIGNED.iter().map(|e| (*e, stub(&course, e))).collect();
        // Deletes the failing test and claims the work is done: the tests come back.
        let weakened = stub(&course, "failing_test").replace(
            "    #[test]\n    fn first() {\n        assert_eq!(work(), 42);\n    }\n",
            "",
        );
        assert_ne!(weakened, stub(&course, "failing_test"));
        let class = class(
            "mixed",
            &[
                ("ada", solved),
                ("bob", stubs),
                ("eve", vec![("pass", solution(&course, "pass")), ("failing_test", weakened)]),
                (
                    "mallory",
                    vec![
                        (
                            "pass",
                            solution(&course, "pass").replacen(
                                "pub fn work() -> u32 {",
                                "pub fn work() -> u32 {\n    use std::process as p;\n    p::exit(0);",
                                1,
                            ),
                        ),
                        (
                            "failing_test",
                            solution(&course, "failing_test").replacen(
                                "pub fn work() -> u32 {",
                                "pub fn work() -> u32 {\n    let _ = std::fs::read_to_string(\"../ada/exercises/outcomes/pass.rs\");\n    let _ = std::fs::write(\"/tmp/threadlings-escape\", \"x\");",
                                1,
                            ),
                        ),
                        (
                            "deadlock",
                            solution(&course, "deadlock").replacen(
                                "pub fn work() -> u32 {",
                                "pub fn work() -> u32 {\n    let _ = std::net::TcpStream::connect(\"127.0.0.1:9\");",
                                1,
                            ),
                        ),
                    ],
                ),
                // Reads a neighbour's file at compile time, to see it quoted in an error.
                (
                    "trudy",
                    vec![(
                        "pass",
                        solution(&course, "pass").replacen(
                            "pub fn work() -> u32 {",
                            &format!(
                                "pub fn work() -> u32 {{\n    let _x: u32 = include!({:?});",
                                Path::new(env!("CARGO_TARGET_TMPDIR"))
                                    .join("classes/mixed/ada/exercises/outcomes/pass.rs")
                            ),
                            1,
                        ),
                    )],
                ),
            ],
        );
        fs::create_dir_all(class.join("notes")).unwrap();
        let before = snapshot(&class);
        let out = class.with_extension("out");
        let run = grade(&course, &class, &out, &["--fresh"]);
        assert_eq!(
            run.code(),
            1,
            "not everyone passed:\n{}\n{}",
            run.stdout(),
            run.stderr()
        );
        assert_eq!(
            snapshot(&class),
            before,
            "the class folder is never written"
        );
        assert!(!Path::new("/tmp/threadlings-escape").exists());

        let book: Value =
            serde_json::from_str(&fs::read_to_string(out.join("grades.json")).unwrap()).unwrap();
        assert_eq!(verdicts(&book, "ada"), ["pass", "pass", "pass"], "{book:#}");
        // Every test that ran has its time.
        let ada = &book["students"][0]["exercises"][0];
        assert!(ada["tests"][0]["seconds"].is_f64(), "{ada:#}");
        assert_eq!(
            verdicts(&book, "bob"),
            ["pass", "test_failed", "timeout"],
            "{book:#}"
        );
        // eve's deleted test is back, and fails; the change is flagged.
        assert_eq!(verdicts(&book, "eve")[1], "test_failed", "{book:#}");
        let eve = &book["students"][2]["exercises"][1];
        assert_eq!(eve["flags"][0]["kind"], "tests_replaced", "{eve:#}");
        assert_eq!(
            eve["flags"][0]["changes"][0],
            json!({"kind": "removed", "item": "test `tests::first`"}),
            "{eve:#}"
        );
        // A missing file is graded as the course's stub, which it is: it deadlocks.
        assert_eq!(
            verdicts(&book, "eve")[2],
            "timeout",
            "a missing file: {book:#}"
        );
        assert!(
            book["students"][2]["exercises"][2]["message"]
                .as_str()
                .unwrap()
                .contains("missing from the submission")
        );
        // mallory: each route named by the compiler, with its line.
        assert_eq!(
            verdicts(&book, "mallory"),
            ["tampered", "tampered", "tampered"],
            "{book:#}"
        );
        let flags = book["students"][3]["exercises"].to_string();
        for wanted in [
            "`std::process::exit`",
            "`std::fs::read_to_string`",
            "`std::fs::write`",
            "`std::net::TcpStream`",
            "line 5",
        ] {
            assert!(flags.contains(wanted), "no {wanted} in {flags}");
        }
        let trudy = verdicts(&book, "trudy");
        assert!(
            ["tampered", "compile_error"].contains(&trudy[0].as_str()),
            "{book:#}"
        );
        for file in snapshot(&out) {
            assert!(
                !String::from_utf8_lossy(&file.1).contains("7f3a9c"),
                "{} shows another student's file",
                file.0.display()
            );
        }
        let notes = &book["students"][4];
        assert_eq!(notes["student"], "notes");
        assert_eq!(notes["status"], "error");
        assert!(
            notes["reason"]
                .as_str()
                .unwrap()
                .contains("not a checkout of the course")
        );

        // Every format, from the same grades.
        let csv = fs::read_to_string(out.join("grades.csv")).unwrap();
        assert!(csv.starts_with("student,pass,failing_test,deadlock,total,max,error\nada,1,1,1,3,3,\nbob,1,0,0,1,3,\n"), "{csv}");
        let junit = fs::read_to_string(out.join("junit.xml")).unwrap();
        assert!(
            junit.contains("<testsuites name=\"threadlings\" tests=\"16\" skipped=\"0\" failures=\"10\" errors=\"1\""),
            "{junit}"
        );
        assert!(junit.contains("type=\"tampered\""), "{junit}");
        let gradescope: Value =
            serde_json::from_str(&fs::read_to_string(out.join("gradescope/bob.json")).unwrap())
                .unwrap();
        assert_eq!(gradescope["score"], 1);
        assert_eq!(gradescope["tests"][2]["status"], "failed");
        let classroom: Value = serde_json::from_str(
            &fs::read_to_string(out.join("github-classroom/ada.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(
            (classroom["version"].clone(), classroom["status"].clone()),
            (1.into(), "pass".into())
        );
        let html = fs::read_to_string(out.join("grades.html")).unwrap();
        assert!(html.contains("<td class=\"tampered\""), "{html}");

        // Graded again: everything comes from the kept grades.
        let again = grade(&course, &class, &out, &[]);
        assert_eq!(
            again.stderr().matches("(kept from an earlier run)").count(),
            5,
            "{}",
            again.stderr()
        );
    }

    /// `grade .` in one student's repository, the CI form: a class of one, and files
    /// named as the tools expect.
    #[test]
    fn one_checkout_is_a_class_of_one_with_single_report_files() {
        let course = Course::private("class-one");
        let class = class(
            "one",
            &[(
                "zoe",
                ASSIGNED
                    .iter()
                    .map(|e| (*e, solution(&course, e)))
                    .collect(),
            )],
        );
        let out = class.with_extension("out");
        let run = grade(&course, &class.join("zoe"), &out, &[]);
        assert_eq!(run.code(), 0, "{}\n{}", run.stdout(), run.stderr());
        let results: Value =
            serde_json::from_str(&fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
        assert_eq!(results["score"], 3);
        let classroom: Value =
            serde_json::from_str(&fs::read_to_string(out.join("github-classroom.json")).unwrap())
                .unwrap();
        assert_eq!(classroom["max_score"], 3);
        assert_eq!(
            classroom["tests"][0]["filename"],
            "exercises/outcomes/pass.rs"
        );
        // Kept grades serve an unchanged course; a changed course grades again.
        let again = grade(&course, &class.join("zoe"), &out, &[]);
        assert!(
            again.stderr().contains("(kept from an earlier run)"),
            "{}",
            again.stderr()
        );
        course.edit(
            "info.toml",
            "format_version = 1",
            "format_version = 1\n# changed",
        );
        let changed = grade(&course, &class.join("zoe"), &out, &[]);
        assert_eq!(changed.code(), 0, "{}", changed.stderr());
        assert!(!changed.stderr().contains("(kept"), "{}", changed.stderr());
        // So does a changed reference: the solution's tests are what a student is graded by.
        let again = grade(&course, &class.join("zoe"), &out, &[]);
        assert!(again.stderr().contains("(kept"), "{}", again.stderr());
        course.edit(
            "solutions/outcomes/pass.rs",
            "#[cfg(test)]",
            "// the reference changed\n#[cfg(test)]",
        );
        let changed = grade(&course, &class.join("zoe"), &out, &[]);
        assert_eq!(changed.code(), 0, "{}", changed.stderr());
        assert!(!changed.stderr().contains("(kept"), "{}", changed.stderr());
    }

    /// A class graded in two partitions and merged is the class graded at once.
    #[test]
    fn partitions_merge_into_the_whole_class() {
        let course = Course::private("class-partitions");
        let students: Vec<(&str, Vec<(&str, String)>)> = ["a1", "b2", "c3"]
            .into_iter()
            .map(|s| (s, vec![("pass", stub(&course, "pass"))]))
            .collect();
        let class = class("partitions", &students);
        let part = |k: &str| {
            let out = class.with_extension(format!("part{}", &k[..1]));
            let run = course.threadlings(&[
                "grade",
                class.to_str().unwrap(),
                "--exercise",
                "pass",
                "--partition",
                k,
                "--out",
                out.to_str().unwrap(),
                "--format",
                "json",
            ]);
            assert!(run.code() <= 1, "{}", run.stderr());
            out
        };
        let (first, second) = (part("1/2"), part("2/2"));
        let merged = class.with_extension("merged");
        let run = course.threadlings(&[
            "merge-reports",
            first.to_str().unwrap(),
            second.to_str().unwrap(),
            "--out",
            merged.to_str().unwrap(),
            "--format",
            "csv",
        ]);
        assert_eq!(run.code(), 0, "{}", run.stderr());
        assert_eq!(
            fs::read_to_string(merged.join("grades.csv")).unwrap(),
            "student,pass,total,max,error\na1,1,1,1,\nb2,1,1,1,\nc3,1,1,1,\n"
        );
        let run = course.threadlings(&[
            "merge-reports",
            first.to_str().unwrap(),
            first.to_str().unwrap(),
        ]);
        assert_eq!(run.code(), 2);
        assert!(
            run.stderr().contains("student `a1` is in both"),
            "{}",
            run.stderr()
        );
    }

    /// Bad input is a usage error that says what to do.
    #[test]
    fn bad_input_says_what_is_wrong() {
        let course = Course::fixture();
        let empty = Path::new(env!("CARGO_TARGET_TMPDIR")).join("classes/empty");
        fs::create_dir_all(&empty).unwrap();
        let run = course.threadlings(&["grade", empty.to_str().unwrap()]);
        assert_eq!(run.code(), 2);
        assert!(
            run.stderr().contains("there is nobody to grade"),
            "{}",
            run.stderr()
        );
        let run = course.threadlings(&["grade", empty.to_str().unwrap(), "--exercise", "pas"]);
        assert_eq!(run.code(), 2);
        assert!(
            run.stderr().contains("did you mean pass?"),
            "{}",
            run.stderr()
        );
        let run = course.threadlings(&["grade", empty.to_str().unwrap(), "--partition", "3/2"]);
        assert_eq!(run.code(), 2);
        assert!(run.stderr().contains("write K/N"), "{}", run.stderr());
        // `--sandbox require` where student code cannot be confined.
        let one = class("require", &[("amy", vec![("pass", stub(course, "pass"))])]);
        let run = course.threadlings_with_env(
            &[
                "grade",
                one.to_str().unwrap(),
                "--sandbox",
                "require",
                "--exercise",
                "pass",
            ],
            &[("THREADLINGS_CONTAINMENT", Path::new("off"))],
        );
        assert_eq!(run.code(), 2, "{}", run.stderr());
        assert!(
            run.stderr()
                .contains("--sandbox require: this machine cannot confine student code"),
            "{}",
            run.stderr()
        );
    }
}
