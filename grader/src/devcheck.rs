//! `threadlings dev check`: the course's self-check, for its authors and CI.
//!
//! Every stub must fail for the reason info.toml declares, every solution must pass (and
//! keep passing under `--stress N`), and info.toml, the two Cargo manifests, the folders,
//! the topic READMEs and the compile-fail cases must agree. Problems are collected, not
//! fatal: one run lists them all.
//!
//! With `--committed-stubs` (what `cargo test` runs) the stubs are the committed ones
//! (git `HEAD`), never a learner's work in progress: a stub a learner has changed is not
//! graded, and the report names it as skipped.
//!
//! Must not: print but through the reporter, or judge a run itself (the engine and
//! `verdict` do).

use std::fs;
use std::time::{Duration, Instant};

use std::collections::BTreeMap;

use crate::compile_fail;
use crate::course::{Course, Exercise, Mode, Side};
use crate::engine::Engine;
use crate::error::Error;
use crate::git;
use crate::problem::{CheckReport, Problem, ProblemKind};
use crate::report::Reporter;
use crate::verdict::VerdictKind;

/// Where the stubs under check come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StubSource {
    /// `exercises/` as it is on disk (authors, editing stubs).
    WorkingTree,
    /// The committed stubs (git `HEAD`): a learner's checkout stays green.
    Committed,
}

/// The stub texts to check, and the exercises whose stub on disk is not the one to check
/// (a learner's work): those are not graded.
fn stubs(
    course: &Course,
    source: StubSource,
    reporter: &Reporter,
) -> (BTreeMap<String, String>, Vec<String>) {
    let mut texts = BTreeMap::new();
    let mut changed = Vec::new();
    for exercise in &course.exercises {
        let on_disk = fs::read(course.path(exercise, Side::Exercise))
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_default();
        let relative = exercise.display_path(Side::Exercise);
        let text = match source {
            StubSource::WorkingTree => on_disk,
            StubSource::Committed => match git::committed(&course.root, &relative) {
                git::Committed::File(committed) => {
                    if committed != on_disk {
                        changed.push(exercise.name.clone());
                    }
                    committed
                }
                git::Committed::Untracked => on_disk,
                git::Committed::NoRepository(why) => {
                    reporter.check_stage(&format!(
                        "no committed course to read the stubs from ({why}): checking the \
                         stubs in exercises/ as they are"
                    ));
                    return (
                        stubs(course, StubSource::WorkingTree, reporter).0,
                        Vec::new(),
                    );
                }
            },
        };
        texts.insert(exercise.name.clone(), text);
    }
    (texts, changed)
}

/// Runs every check; `stress` extra runs of each solution's tests. `only` names the
/// exercises to grade (all when empty); the course's layout is checked whole either way.
pub fn check(
    engine: &Engine<'_>,
    only: &[String],
    stress: usize,
    stub_source: StubSource,
    reporter: &Reporter,
) -> Result<CheckReport, Error> {
    let course = engine.course;
    let mut report = CheckReport::default();
    let (stub_texts, mut changed) = stubs(course, stub_source, reporter);
    report.problems.extend(layout_problems(course, &stub_texts));
    for problem in &report.problems {
        reporter.check_problem(problem, None);
    }

    let all: Vec<&Exercise> = course
        .exercises
        .iter()
        .filter(|exercise| only.is_empty() || only.contains(&exercise.name))
        .collect();
    changed.retain(|name| all.iter().any(|exercise| exercise.name == *name));
    reporter.check_stage(&format!("grading {} solutions", all.len()));
    let solutions = engine.grade_all(&all, Side::Solution, &|_| {})?;
    for (exercise, graded) in all.iter().zip(&solutions) {
        report.solutions_checked += 1;
        if !graded.verdict().passed() {
            let problem = Problem::of(
                ProblemKind::SolutionFails,
                &exercise.name,
                format!("solution of `{}` does not pass", exercise.name),
            );
            reporter.check_problem(&problem, Some((exercise, graded)));
            report.problems.push(problem);
        }
    }

    for problem in limit_problems(engine, &all, reporter)? {
        reporter.check_problem(&problem, None);
        report.problems.push(problem);
    }

    let pristine: Vec<&Exercise> = all
        .iter()
        .copied()
        .filter(|exercise| !changed.contains(&exercise.name))
        .collect();
    if !changed.is_empty() {
        reporter.check_stage(&format!(
            "skipped grading {} stub(s) you have changed since the last commit (your work, \
             not the course's): {}",
            changed.len(),
            changed.join(", ")
        ));
    }
    reporter.check_stage(&format!("grading {} stubs", pristine.len()));
    let stubs = engine.grade_all(&pristine, Side::Exercise, &|_| {})?;
    for (exercise, graded) in pristine.iter().zip(&stubs) {
        report.stubs_checked += 1;
        let got = graded.verdict().kind();
        let declared = VerdictKind::from(exercise.stub);
        if got != declared {
            let problem = Problem::of(
                ProblemKind::StubVerdict,
                &exercise.name,
                format!(
                    "stub of `{}` should fail with {} (info.toml `stub`), but got {}",
                    exercise.name,
                    declared.as_str(),
                    got.as_str()
                ),
            );
            reporter.check_problem(&problem, Some((exercise, graded)));
            report.problems.push(problem);
        }
    }

    // Wrong answers the tests must reject, alternatives they must accept.
    crate::variants::check(engine, &all, stress, reporter, &mut report.problems)?;

    if stress > 0 {
        stress_solutions(engine, &all, stress, reporter, &mut report)?;
    }
    // Model-checked lessons: every weaker ordering and every hand-written wrong answer
    // must fail, every alternative pass, under the model checker (devcheck_model.rs).
    let weakenings = crate::devcheck_model::check(engine, &all, reporter)?;
    report.problems.extend(weakenings.problems);
    reporter.check_finished(&report);
    Ok(report)
}

/// Runs of each solution timed for [`limit_problems`]; the median is kept.
const TIMED_RUNS: usize = 3;

/// Each exercise's time limit against its solution's test time. A limit must be
/// comfortably above what a correct answer needs (a slow machine, a loaded CI), and not
/// far more than that: a busy loop, which no watcher can cut short, makes the learner wait
/// for the whole limit.
fn limit_problems(
    engine: &Engine<'_>,
    exercises: &[&Exercise],
    reporter: &Reporter,
) -> Result<Vec<Problem>, Error> {
    let tested: Vec<&Exercise> = exercises
        .iter()
        .copied()
        .filter(|exercise| exercise.mode == Mode::Test)
        .collect();
    reporter.check_stage(&format!(
        "timing {} solutions against their time limits",
        tested.len()
    ));
    let built = engine.build(&tested, Side::Solution)?;
    let mut problems = Vec::new();
    for exercise in tested {
        let Ok(executable) = built.result(&exercise.name) else {
            continue; // Already reported: the solution does not compile.
        };
        let mut times = Vec::with_capacity(TIMED_RUNS);
        for _ in 0..TIMED_RUNS {
            let started = Instant::now();
            // One run; a failing one was reported when the solutions were graded.
            engine.stress(exercise, executable, 1)?;
            times.push(started.elapsed());
        }
        times.sort_unstable();
        problems.extend(
            limit_problem(&exercise.name, exercise.timeout, times[TIMED_RUNS / 2])
                .map(|message| Problem::of(ProblemKind::TimeLimit, &exercise.name, message)),
        );
    }
    Ok(problems)
}

/// The problem with `limit` for a solution whose tests take `needed`, if any: below 3×
/// the time (or less than 2 s of slack) is too tight; above 10× the time and above 10 s
/// is more than the learner should wait for a busy loop.
fn limit_problem(name: &str, limit: Duration, needed: Duration) -> Option<String> {
    const TIGHT_FACTOR: u32 = 3;
    const SLACK: Duration = Duration::from_secs(2);
    const LOOSE_FACTOR: u32 = 10;
    const LOOSE_FLOOR: Duration = Duration::from_secs(10);
    // What a limit should be: 5× the time, at least 5 s, in whole seconds.
    let suggested = (needed * 5)
        .max(Duration::from_secs(5))
        .as_secs_f64()
        .ceil();
    let seconds = |duration: Duration| format!("{:.1} s", duration.as_secs_f64());
    if limit < needed * TIGHT_FACTOR || limit < needed + SLACK {
        return Some(format!(
            "time limit of `{name}` ({}) is not comfortably above its solution's test time \
             ({}): a slow machine would time out a correct answer; set `timeout = \
             {suggested}` in info.toml",
            seconds(limit),
            seconds(needed)
        ));
    }
    if limit > needed * LOOSE_FACTOR && limit > LOOSE_FLOOR {
        return Some(format!(
            "time limit of `{name}` ({}) is more than {LOOSE_FACTOR}× its solution's test \
             time ({}): a learner's busy loop waits that long for its verdict; set \
             `timeout = {suggested}` in info.toml",
            seconds(limit),
            seconds(needed)
        ));
    }
    None
}

fn stress_solutions(
    engine: &Engine<'_>,
    exercises: &[&Exercise],
    times: usize,
    reporter: &Reporter,
    report: &mut CheckReport,
) -> Result<(), Error> {
    let tested: Vec<&Exercise> = exercises
        .iter()
        .copied()
        .filter(|exercise| exercise.mode == Mode::Test)
        .collect();
    reporter.check_stage(&format!(
        "stress: {times} runs of each of {} solutions' tests",
        tested.len()
    ));
    let built = engine.build(&tested, Side::Solution)?;
    for exercise in tested {
        let Ok(executable) = built.result(&exercise.name) else {
            continue; // Already reported: the solution does not compile.
        };
        let flaky = engine.stress(exercise, executable, times)?;
        report.stress_runs += times;
        if !flaky.is_empty() {
            let first = &flaky[0];
            let problem = Problem::of(
                ProblemKind::Flaky,
                &exercise.name,
                format!(
                    "solution of `{}` is flaky: {} of {times} runs did not pass (first: {})",
                    exercise.name,
                    flaky.len(),
                    crate::report::human::judgement_line(first)
                ),
            );
            reporter.check_problem(&problem, None);
            report.problems.push(problem);
        }
    }
    Ok(())
}

/// Rewrites a compile-fail lesson's expected errors from its solution.
pub fn bless(engine: &Engine<'_>, exercise: &Exercise, reporter: &Reporter) -> Result<(), Error> {
    let course = engine.course;
    let path = course.path(exercise, Side::Solution);
    let source =
        fs::read_to_string(&path).map_err(Error::io(format!("read {}", path.display())))?;
    let ran = compile_fail::grade(
        course,
        &engine.submission,
        &engine.cargo,
        exercise,
        &source,
        compile_fail::Expectations::Bless,
    )?;
    reporter.text(&format!(
        "blessed the expected errors of `{}` in {} ({})",
        exercise.name,
        course.ui_cases_dir(exercise).join("fail").display(),
        ran.judgement.verdict.kind().as_str()
    ));
    Ok(())
}

/// The course's files against info.toml.
fn layout_problems(course: &Course, stubs: &BTreeMap<String, String>) -> Vec<Problem> {
    let mut all = Vec::new();
    for exercise in &course.exercises {
        let mut problems = Vec::new();
        let solution_path = course.path(exercise, Side::Solution);
        let stub = stubs.get(&exercise.name).cloned().unwrap_or_default();
        let solution = fs::read_to_string(&solution_path).unwrap_or_default();
        let name = &exercise.name;
        let readme = course
            .root
            .join("exercises")
            .join(&exercise.dir)
            .join("README.md");
        if !readme.is_file() {
            problems.push(format!(
                "topic folder of `{name}` has no README.md ({})",
                readme.display()
            ));
        }
        if !stub.contains("TODO") {
            problems.push(format!(
                "stub of `{name}` has no `TODO` marking where the learner works"
            ));
        }
        if stub == solution {
            problems.push(format!("stub of `{name}` is identical to its solution"));
        }
        if exercise.hints.len() < 2 {
            problems.push(format!("`{name}` has {} hint(s); give progressive hints (a nudge, the API, almost the answer)", exercise.hints.len()));
        }
        match exercise.mode {
            Mode::Test | Mode::ModelCheck => {
                match crate::tamper::ReferenceTests::from_source(&solution) {
                    Ok(spec) if spec.tests.is_empty() => {
                        problems.push(format!(
                            "solution of `{name}` has a test module with no tests"
                        ));
                    }
                    Ok(spec) => {
                        for finding in spec.check(&stub) {
                            problems.push(format!(
                            "stub and solution of `{name}` must have the same tests: in the stub, {finding}"
                        ));
                        }
                    }
                    Err(why) => problems.push(format!("solution of `{name}`: {why}")),
                }
            }
            Mode::CompileFail => problems.extend(ui_case_problems(course, exercise)),
        }
        all.extend(
            problems
                .into_iter()
                .map(|message| Problem::of(ProblemKind::Layout, name, message)),
        );
    }
    all
}

fn ui_case_problems(course: &Course, exercise: &Exercise) -> Vec<String> {
    let cases = course.ui_cases_dir(exercise);
    let mut problems = Vec::new();
    let list = |kind: &str| -> Vec<std::path::PathBuf> {
        fs::read_dir(cases.join(kind))
            .map(|entries| {
                entries
                    .flatten()
                    .map(|entry| entry.path())
                    .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (pass, fail) = (list("pass"), list("fail"));
    if fail.is_empty() {
        problems.push(format!(
            "compile-fail lesson `{}` has no cases in {}/fail/",
            exercise.name,
            cases.display()
        ));
    }
    if pass.is_empty() {
        problems.push(format!(
            "compile-fail lesson `{}` has no cases in {}/pass/ (without one, an answer that breaks everything would pass)",
            exercise.name,
            cases.display()
        ));
    }
    for case in fail {
        if !case.with_extension("stderr").is_file() {
            problems.push(format!(
                "{} has no expected errors: run `threadlings dev bless {}`",
                case.display(),
                exercise.name
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_must_be_comfortable_but_not_lavish() {
        let ms = Duration::from_millis;
        let secs = Duration::from_secs;
        let rows = [
            ("a fast solution, 5 s", secs(5), ms(150), None),
            ("a fast solution, 10 s", secs(10), ms(150), None),
            (
                "a fast solution, 30 s",
                secs(30),
                ms(150),
                Some("more than 10×"),
            ),
            ("a slow solution, 30 s", secs(30), secs(4), None),
            (
                "a slow solution, 5 s",
                secs(5),
                secs(4),
                Some("not comfortably above"),
            ),
            (
                "barely slack, 3 s",
                secs(3),
                ms(1500),
                Some("not comfortably above"),
            ),
        ];
        for (what, limit, needed, problem) in rows {
            let found = limit_problem("x", limit, needed);
            match problem {
                None => assert_eq!(found, None, "{what}"),
                Some(part) => assert!(
                    found.as_deref().is_some_and(|found| found.contains(part)),
                    "{what}: {found:?}"
                ),
            }
        }
        assert!(
            limit_problem("x", secs(30), ms(150))
                .unwrap()
                .ends_with("set `timeout = 5` in info.toml"),
            "the suggestion is 5× the time, at least 5 s"
        );
    }
}
