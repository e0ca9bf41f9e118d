//! Judging one test run: what the process did, turned into a [`Verdict`]. Pure.
//!
//! A run passes only if the process exited with status 0 and libtest's own record (its
//! `--logfile`, not the test's stdout, which learner code can write to) shows every
//! expected test passing. Everything else is a verdict with a reason: a crash names the
//! test that was running, a hang carries the OS's diagnosis, and a process that claims
//! success without the results to show for it is reported as tampering.
//!
//! Must not: read files, start processes or print; it knows nothing above `run`'s data
//! and libtest's text.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use crate::course::StubFailure;
use crate::finding::Finding;
use crate::libtest::{self, Recorded};
use crate::model_check::{self, ModelFailure};
use crate::run::{Diagnosis, Exit, Output, ThreadState};
use crate::tamper::Tampering;

/// The closed set of outcomes of grading one exercise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    /// The exercise does not compile; rustc's rendered errors.
    CompileError {
        errors: String,
    },
    /// It ran and at least one test failed (see the test results).
    TestFailed,
    /// It did not finish within its time limit.
    TimedOut {
        test: Option<String>,
        limit: Duration,
        diagnosis: Diagnosis,
    },
    /// The process died.
    Crashed {
        test: Option<String>,
        cause: Crash,
    },
    /// The tests were changed, or the process claimed success without running them.
    Tampered {
        findings: Vec<Finding>,
    },
}

/// The machine-readable name of each verdict, as in the JSON output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerdictKind {
    Pass,
    CompileError,
    TestFailed,
    Timeout,
    Crashed,
    Tampered,
}

impl Verdict {
    pub fn kind(&self) -> VerdictKind {
        match self {
            Verdict::Pass => VerdictKind::Pass,
            Verdict::CompileError { .. } => VerdictKind::CompileError,
            Verdict::TestFailed => VerdictKind::TestFailed,
            Verdict::TimedOut { .. } => VerdictKind::Timeout,
            Verdict::Crashed { .. } => VerdictKind::Crashed,
            Verdict::Tampered { .. } => VerdictKind::Tampered,
        }
    }

    pub fn passed(&self) -> bool {
        *self == Verdict::Pass
    }
}

/// The verdict a stub is declared to fail with (`stub` in info.toml).
impl From<StubFailure> for VerdictKind {
    fn from(stub: StubFailure) -> Self {
        match stub {
            StubFailure::CompileError => VerdictKind::CompileError,
            StubFailure::TestFailed => VerdictKind::TestFailed,
            StubFailure::Timeout => VerdictKind::Timeout,
        }
    }
}

impl VerdictKind {
    /// The name in words, as people read it (`compile error`, `test failed`).
    pub fn label(self) -> &'static str {
        match self {
            VerdictKind::Pass => "pass",
            VerdictKind::CompileError => "compile error",
            VerdictKind::TestFailed => "test failed",
            VerdictKind::Timeout => "timeout",
            VerdictKind::Crashed => "crashed",
            VerdictKind::Tampered => "tampered",
        }
    }

    /// The machine-readable name, as in the JSON output and `info.toml`'s `stub`.
    pub fn as_str(self) -> &'static str {
        match self {
            VerdictKind::Pass => "pass",
            VerdictKind::CompileError => "compile_error",
            VerdictKind::TestFailed => "test_failed",
            VerdictKind::Timeout => "timeout",
            VerdictKind::Crashed => "crashed",
            VerdictKind::Tampered => "tampered",
        }
    }
}

/// Why a test process died.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Crash {
    StackOverflow,
    /// An allocation failed: the memory limit, or a runaway allocation.
    MemoryLimit,
    /// The CPU-time backstop fired.
    CpuLimit,
    /// `std::process::abort`, a panic while panicking, a failed assertion in `unsafe` code...
    Abort,
    /// Killed by the system (often the out-of-memory killer).
    Killed,
    Signal(String),
    /// Exited with a status libtest never uses, before every test had reported.
    ExitCode(i32),
}

/// One test as it came out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TestResult {
    pub name: String,
    pub outcome: TestOutcome,
    /// The test's captured output and panic message, for failures.
    pub message: Option<String>,
    /// What the model checker found, for a failed test of a model-checked exercise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<ModelFailure>,
    /// How long it ran, from libtest announcing it to its result, as the grader saw
    /// libtest's output go by (for reports; never part of a verdict). `None` when it did
    /// not end, or when the harness does not say (compile-fail cases).
    #[serde(
        rename = "duration_ms",
        skip_serializing_if = "Option::is_none",
        serialize_with = "in_millis"
    )]
    pub duration: Option<Duration>,
}

fn in_millis<S: serde::Serializer>(
    duration: &Option<Duration>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match duration {
        Some(duration) => {
            serializer.serialize_u64(u64::try_from(duration.as_millis()).unwrap_or(u64::MAX))
        }
        None => serializer.serialize_none(),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TestOutcome {
    Passed,
    Failed,
    Ignored,
    /// It was running when the process hung or died.
    Interrupted,
    /// It never started.
    NotRun,
}

impl From<Recorded> for TestOutcome {
    fn from(recorded: Recorded) -> Self {
        match recorded {
            Recorded::Passed => TestOutcome::Passed,
            Recorded::Failed => TestOutcome::Failed,
            Recorded::Ignored => TestOutcome::Ignored,
        }
    }
}

/// The verdict and the per-test detail behind it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Judgement {
    pub verdict: Verdict,
    pub tests: Vec<TestResult>,
}

/// Judges a learner's changes to the tests, before anything runs.
pub fn judge_tampering(findings: &[Tampering]) -> Option<Judgement> {
    (!findings.is_empty()).then(|| Judgement {
        verdict: Verdict::Tampered {
            findings: findings
                .iter()
                .map(|change| Finding::Tests {
                    change: change.clone(),
                })
                .collect(),
        },
        tests: Vec::new(),
    })
}

/// Judges one run of a test binary. `expected` are the pristine tests' names, `logfile`
/// what libtest recorded, `limit` the time limit the run had.
pub fn judge_run(
    expected: &[String],
    output: &Output,
    logfile: &str,
    limit: Duration,
) -> Judgement {
    let recorded: BTreeMap<&str, TestOutcome> = libtest::parse_logfile(logfile)
        .into_iter()
        .map(|(name, recorded)| (name, TestOutcome::from(recorded)))
        .collect();
    let stdout = output.stdout.text();
    let stderr = libtest::without_noise(&output.stderr.text());
    let started = libtest::started_tests(&stdout);
    let messages = libtest::failure_messages(&stdout);
    // The test that was running when the process stopped: started, never recorded.
    let interrupted = started
        .iter()
        .rev()
        .find(|name| !recorded.contains_key(name.as_str()))
        .cloned();

    let mut names: Vec<String> = expected.to_vec();
    for name in recorded
        .keys()
        .copied()
        .chain(started.iter().map(String::as_str))
    {
        if !names.iter().any(|known| known == name) {
            names.push(name.to_owned());
        }
    }
    // libtest runs tests in name order: so are they listed, the one that hung before
    // the ones it kept from running.
    names.sort();
    let tests: Vec<TestResult> = names
        .into_iter()
        .map(|name| {
            let outcome = match recorded.get(name.as_str()) {
                Some(outcome) => *outcome,
                None if interrupted.as_deref() == Some(name.as_str()) => TestOutcome::Interrupted,
                None => TestOutcome::NotRun,
            };
            let message = (outcome == TestOutcome::Failed)
                .then(|| messages.get(&name).cloned())
                .flatten();
            TestResult {
                name,
                outcome,
                message,
                model: None,
                duration: None,
            }
        })
        .collect();

    let verdict = match &output.exit {
        Exit::Code(code) => judge_exit(*code, expected, &tests, interrupted, &stderr),
        ended => ended_early(ended, interrupted.clone(), limit, &stderr).unwrap_or(
            // The engine never judges a cancelled run (it judged nothing); should one come
            // here, it is no pass.
            Verdict::Crashed {
                test: interrupted,
                cause: Crash::Signal("cancelled".to_owned()),
            },
        ),
    };
    Judgement { verdict, tests }
}

/// The verdict for a process that did not end with an exit status of its own: stopped at
/// its time limit, or killed by a signal (`test` was running then). `None` for an exit
/// status, which only the tests' record can judge, and for a cancelled run, which judged
/// nothing. Every grading path (test runs, the compile-fail harness) maps endings here.
pub fn ended_early(
    exit: &Exit,
    test: Option<String>,
    limit: Duration,
    stderr: &str,
) -> Option<Verdict> {
    match exit {
        Exit::TimedOut { diagnosis } => Some(Verdict::TimedOut {
            test,
            limit,
            diagnosis: diagnosis.clone(),
        }),
        Exit::Signal { name, .. } => Some(Verdict::Crashed {
            test,
            cause: crash_cause(name, stderr),
        }),
        Exit::Code(_) | Exit::Cancelled => None,
    }
}

/// Adds what the model checker found to a model-checked exercise's judgement: each
/// failed test's [`ModelFailure`](crate::model_check::ModelFailure). Loom aborts the test
/// process while it unwinds from a deadlock: when the testkit's report of one is in
/// `stderr`, the test that was running failed with that deadlock (the process did not
/// crash on its own).
pub fn explain_model_failures(judgement: &mut Judgement, stderr: &str) {
    if let Verdict::Crashed {
        test: Some(running),
        ..
    } = &judgement.verdict
        && let Some(report) = model_check::deadlock_report(stderr)
    {
        let running = running.clone();
        if let Some(test) = judgement.tests.iter_mut().find(|test| test.name == running) {
            test.outcome = TestOutcome::Failed;
            test.message = Some(report.to_owned());
            judgement.verdict = Verdict::TestFailed;
        }
    }
    for test in &mut judgement.tests {
        if test.outcome == TestOutcome::Failed
            && let Some(message) = &test.message
        {
            test.model = model_check::parse(message);
        }
    }
}

fn judge_exit(
    code: i32,
    expected: &[String],
    tests: &[TestResult],
    interrupted: Option<String>,
    stderr: &str,
) -> Verdict {
    const LIBTEST_FAILED: i32 = 101;
    let outcome_of = |name: &str| {
        tests
            .iter()
            .find(|test| test.name == name)
            .map_or(TestOutcome::NotRun, |test| test.outcome)
    };
    let missing: Vec<&String> = expected
        .iter()
        .filter(|name| !matches!(outcome_of(name), TestOutcome::Passed | TestOutcome::Failed))
        .collect();
    let any_failed = tests.iter().any(|test| test.outcome == TestOutcome::Failed);

    if missing.is_empty() {
        return match (code, any_failed) {
            (0, false) => Verdict::Pass,
            (LIBTEST_FAILED, true) => Verdict::TestFailed,
            // Every test reported, yet the status disagrees: a test's code called
            // `process::exit` after the others had finished.
            (0, true) => Verdict::Tampered {
                findings: vec![Finding::SucceededDespiteFailure],
            },
            (code, _) => Verdict::Crashed {
                test: None,
                cause: crash_cause_for_code(code, stderr),
            },
        };
    }
    if code == 0 {
        return Verdict::Tampered {
            findings: vec![Finding::ExitedEarly {
                during: interrupted,
                unreported: missing.into_iter().cloned().collect(),
            }],
        };
    }
    if code == LIBTEST_FAILED && interrupted.is_none() {
        // libtest finished normally but never ran them: they were filtered out or
        // ignored.
        return Verdict::Tampered {
            findings: vec![Finding::NotRun {
                tests: missing.into_iter().cloned().collect(),
            }],
        };
    }
    Verdict::Crashed {
        test: interrupted,
        cause: crash_cause_for_code(code, stderr),
    }
}

fn crash_cause_for_code(code: i32, stderr: &str) -> Crash {
    // Windows reports aborts and stack overflows as exit codes.
    if stderr.contains("has overflowed its stack") {
        Crash::StackOverflow
    } else if is_allocation_failure(stderr) {
        Crash::MemoryLimit
    } else {
        Crash::ExitCode(code)
    }
}

fn crash_cause(signal: &str, stderr: &str) -> Crash {
    if stderr.contains("has overflowed its stack") {
        return Crash::StackOverflow;
    }
    if is_allocation_failure(stderr) {
        return Crash::MemoryLimit;
    }
    match signal {
        "SIGXCPU" => Crash::CpuLimit,
        "SIGKILL" => Crash::Killed,
        "SIGABRT" => Crash::Abort,
        other => Crash::Signal(other.to_owned()),
    }
}

fn is_allocation_failure(stderr: &str) -> bool {
    stderr
        .lines()
        .any(|line| line.contains("memory allocation of") && line.contains("bytes failed"))
}

/// Gives the threads of a hung process their full names. The kernel keeps only the first
/// 15 bytes of a name; libtest names each test's thread after the test (`tests`), and
/// learners name theirs with string literals (`literals`): a cut name that starts exactly
/// one longer candidate is that one. A thread spawned without a name inherits its
/// spawner's: a second thread named after the test is unnamed (`""`). The process's main
/// thread is libtest's, named after the executable by the kernel: it is `main`.
pub fn full_thread_names(diagnosis: &mut Diagnosis, tests: &[String], literals: &[String]) {
    /// The longest name the kernel keeps (`TASK_COMM_LEN` less the terminating NUL).
    const COMM_LEN: usize = 15;
    let Some(threads) = diagnosis.threads_mut() else {
        return;
    };
    for thread in threads.iter_mut() {
        if thread.main {
            "main".clone_into(&mut thread.name);
            continue;
        }
        if thread.name.len() < COMM_LEN {
            continue;
        }
        let mut longer = tests
            .iter()
            .chain(literals)
            .filter(|candidate| candidate.len() > COMM_LEN && candidate.starts_with(&thread.name));
        if let (Some(only), None) = (longer.next(), longer.next()) {
            only.clone_into(&mut thread.name);
        }
    }
    // libtest's thread was spawned before the test's own: the lowest id keeps the name.
    let mut by_tid: Vec<&mut ThreadState> = threads.iter_mut().collect();
    by_tid.sort_by_key(|thread| thread.tid);
    let mut seen: Vec<String> = Vec::new();
    for thread in by_tid {
        if !tests.contains(&thread.name) {
            continue;
        }
        if seen.contains(&thread.name) {
            thread.name.clear();
        } else {
            seen.push(thread.name.clone());
        }
    }
}

/// The string literals of a Rust source file (escapes left as written): the names a
/// learner may give threads.
pub fn string_literals(source: &str) -> Vec<String> {
    let mut literals = Vec::new();
    let mut chars = source.chars();
    while let Some(ch) = chars.next() {
        if ch != '"' {
            continue;
        }
        let mut literal = String::new();
        let mut escaped = false;
        for ch in chars.by_ref() {
            match ch {
                '"' if !escaped => break,
                '\\' if !escaped => escaped = true,
                _ => {
                    escaped = false;
                    literal.push(ch);
                }
            }
        }
        literals.push(literal);
    }
    literals
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::Captured;

    fn output(exit: Exit, stdout: &str, stderr: &str) -> Output {
        let captured = |text: &str| Captured {
            head: text.as_bytes().to_vec(),
            tail: Vec::new(),
            dropped: 0,
        };
        Output {
            exit,
            stdout: captured(stdout),
            stderr: captured(stderr),
            results: None,
            duration: Duration::from_millis(5),
        }
    }

    fn expected() -> Vec<String> {
        vec!["tests::a".to_owned(), "tests::b".to_owned()]
    }

    const LIMIT: Duration = Duration::from_secs(10);

    const FAILED_STDOUT: &str = "\nrunning 2 tests\ntest tests::a ... ok\ntest tests::b ... FAILED\n\n\
failures:\n\n---- tests::b stdout ----\n\nthread 'tests::b' panicked at src/x.rs:4:22:\nboom\n\n\
failures:\n    tests::b\n\ntest result: FAILED. 1 passed; 1 failed\n";

    #[test]
    fn cut_thread_names_get_their_full_names_back() {
        let thread = |tid, name: &str, main| ThreadState {
            main,
            ..ThreadState::new(tid, name)
        };
        let mut diagnosis = Diagnosis::Deadlock {
            threads: vec![
                thread(2, "tests::every_li", false),
                thread(3, "reverse-transfe", false),
                thread(4, "logger", false),
                thread(1, "channel_open-e3", true),
                thread(5, "worker-number-1", false),
                thread(9, "tests::every_li", false),
            ],
            early: true,
            stacks: crate::run::Stacks::NotTried,
        };
        let owned = |names: &[&str]| {
            names
                .iter()
                .map(|name| (*name).to_owned())
                .collect::<Vec<_>>()
        };
        full_thread_names(
            &mut diagnosis,
            &owned(&["tests::every_line_is_logged"]),
            &owned(&[
                "reverse-transfer",
                "logger-and-more",
                "worker-number-10",
                "worker-number-11",
            ]),
        );
        let names: Vec<&str> = diagnosis
            .threads()
            .iter()
            .map(|t| t.name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "tests::every_line_is_logged",
                "reverse-transfer",
                "logger",
                "main",
                "worker-number-1",
                "",
            ],
            "a second thread named after the test was spawned without a name"
        );
    }

    #[test]
    fn string_literals_are_found() {
        let source = r#"let a = "logger"; let b = "say \"hi\""; name("x".into())"#;
        assert_eq!(string_literals(source), ["logger", r#"say "hi""#, "x"]);
    }

    /// Each row: what the process did, and the verdict it must get.
    #[test]
    fn verdict_table() {
        let deadlock = Diagnosis::Deadlock {
            early: false,
            stacks: crate::run::Stacks::NotTried,
            threads: Vec::new(),
        };
        let rows: Vec<(&str, Output, &str, Verdict)> = vec![
            (
                "all pass",
                output(
                    Exit::Code(0),
                    "test tests::a ... ok\ntest tests::b ... ok\n",
                    "",
                ),
                "ok tests::a\nok tests::b\n",
                Verdict::Pass,
            ),
            (
                "a failure",
                output(Exit::Code(101), FAILED_STDOUT, ""),
                "ok tests::a\nfailed tests::b\n",
                Verdict::TestFailed,
            ),
            (
                "exit(0) in the second test",
                output(
                    Exit::Code(0),
                    "test tests::a ... ok\ntest tests::b ... ",
                    "",
                ),
                "ok tests::a\n",
                Verdict::Tampered {
                    findings: vec![Finding::ExitedEarly {
                        during: Some("tests::b".to_owned()),
                        unreported: vec!["tests::b".to_owned()],
                    }],
                },
            ),
            (
                "a fake summary printed to stdout",
                output(
                    Exit::Code(0),
                    "test tests::a ... test tests::a ... ok\ntest tests::b ... ok\ntest result: ok. 2 passed\n",
                    "",
                ),
                "",
                Verdict::Tampered {
                    findings: vec![Finding::ExitedEarly {
                        during: Some("tests::b".to_owned()),
                        unreported: vec!["tests::a".to_owned(), "tests::b".to_owned()],
                    }],
                },
            ),
            (
                "a hang",
                output(
                    Exit::TimedOut {
                        diagnosis: deadlock.clone(),
                    },
                    "test tests::a ... ",
                    "",
                ),
                "",
                Verdict::TimedOut {
                    test: Some("tests::a".to_owned()),
                    limit: LIMIT,
                    diagnosis: deadlock,
                },
            ),
            (
                "a stack overflow",
                output(
                    Exit::Signal {
                        number: 6,
                        name: "SIGABRT".to_owned(),
                    },
                    "test tests::a ... ",
                    "\nthread 'tests::a' has overflowed its stack\nfatal runtime error: stack overflow\n",
                ),
                "",
                Verdict::Crashed {
                    test: Some("tests::a".to_owned()),
                    cause: Crash::StackOverflow,
                },
            ),
            (
                "a runaway allocation",
                output(
                    Exit::Signal {
                        number: 6,
                        name: "SIGABRT".to_owned(),
                    },
                    "test tests::a ... ok\ntest tests::b ... ",
                    "warning: `--logfile` is deprecatedmemory allocation of 8589934592 bytes failed\n",
                ),
                "ok tests::a\n",
                Verdict::Crashed {
                    test: Some("tests::b".to_owned()),
                    cause: Crash::MemoryLimit,
                },
            ),
            (
                "an abort",
                output(
                    Exit::Signal {
                        number: 6,
                        name: "SIGABRT".to_owned(),
                    },
                    "test tests::a ... ",
                    "",
                ),
                "",
                Verdict::Crashed {
                    test: Some("tests::a".to_owned()),
                    cause: Crash::Abort,
                },
            ),
            (
                "exit(3)",
                output(Exit::Code(3), "test tests::a ... ", ""),
                "",
                Verdict::Crashed {
                    test: Some("tests::a".to_owned()),
                    cause: Crash::ExitCode(3),
                },
            ),
            (
                "an expected test that never ran",
                output(Exit::Code(101), "test tests::a ... FAILED\n", ""),
                "failed tests::a\n",
                Verdict::Tampered {
                    findings: vec![Finding::NotRun {
                        tests: vec!["tests::b".to_owned()],
                    }],
                },
            ),
            (
                "the CPU backstop",
                output(
                    Exit::Signal {
                        number: 24,
                        name: "SIGXCPU".to_owned(),
                    },
                    "test tests::a ... ",
                    "",
                ),
                "",
                Verdict::Crashed {
                    test: Some("tests::a".to_owned()),
                    cause: Crash::CpuLimit,
                },
            ),
        ];
        for (what, output, logfile, verdict) in rows {
            assert_eq!(
                judge_run(&expected(), &output, logfile, LIMIT).verdict,
                verdict,
                "{what}"
            );
        }
    }

    #[test]
    fn failures_carry_their_messages_and_learner_tests_are_listed() {
        let judgement = judge_run(
            &expected(),
            &output(Exit::Code(101), FAILED_STDOUT, ""),
            "ok tests::a\nfailed tests::b\nok tests::mine\n",
            LIMIT,
        );
        let b = judgement
            .tests
            .iter()
            .find(|t| t.name == "tests::b")
            .unwrap();
        assert_eq!(b.outcome, TestOutcome::Failed);
        assert_eq!(
            b.message.as_deref(),
            Some("thread 'tests::b' panicked at src/x.rs:4:22:\nboom")
        );
        assert!(
            judgement
                .tests
                .iter()
                .any(|t| t.name == "tests::mine" && t.outcome == TestOutcome::Passed)
        );
    }

    fn result(name: &str, outcome: TestOutcome) -> TestResult {
        TestResult {
            name: name.to_owned(),
            outcome,
            message: None,
            model: None,
            duration: None,
        }
    }

    #[test]
    fn a_model_checked_deadlock_that_aborted_the_process_fails_the_running_test() {
        let mut judgement = Judgement {
            verdict: Verdict::Crashed {
                test: Some("tests::b".to_owned()),
                cause: Crash::Abort,
            },
            tests: vec![
                result("tests::a", TestOutcome::Passed),
                result("tests::b", TestOutcome::Interrupted),
            ],
        };
        let stderr = format!(
            "warning: `--logfile` is deprecated{} deadlock; threads = [(Id(0), Blocked(Location(Some(Location {{ file: \"x.rs\", line: 45, column: 37 }}))))]\n\nthread 'tests::b' panicked at ...:\npanic in a destructor during cleanup\n",
            model_check::DEADLOCK_MARKER
        );
        explain_model_failures(&mut judgement, &stderr);
        assert_eq!(judgement.verdict, Verdict::TestFailed);
        let b = &judgement.tests[1];
        assert_eq!(b.outcome, TestOutcome::Failed);
        assert!(
            matches!(b.model, Some(ModelFailure::Deadlock { .. })),
            "{b:?}"
        );
    }

    #[test]
    fn a_model_checked_crash_without_the_report_stays_a_crash() {
        let crashed = Verdict::Crashed {
            test: Some("tests::a".to_owned()),
            cause: Crash::Abort,
        };
        let mut judgement = Judgement {
            verdict: crashed.clone(),
            tests: vec![result("tests::a", TestOutcome::Interrupted)],
        };
        explain_model_failures(&mut judgement, "fatal runtime error: stack overflow\n");
        assert_eq!(judgement.verdict, crashed);
        assert_eq!(judgement.tests[0].model, None);
    }

    #[test]
    fn a_hang_marks_the_running_test_and_the_ones_after_it() {
        let judgement = judge_run(
            &expected(),
            &output(
                Exit::TimedOut {
                    diagnosis: Diagnosis::Unknown,
                },
                "test tests::a ... ",
                "",
            ),
            "",
            LIMIT,
        );
        let outcomes: Vec<TestOutcome> = judgement.tests.iter().map(|t| t.outcome).collect();
        assert_eq!(outcomes, [TestOutcome::Interrupted, TestOutcome::NotRun]);
    }
}
