//! `threadlings dev check`: the course's self-check, for its authors and CI.
//!
//! Every stub must fail for the reason info.toml declares, every solution must pass (and
//! keep passing under `--stress N`), and info.toml, the two Cargo manifests, the folders,
//! the topic READMEs and the compile-fail cases must agree. Problems are collected, not
//! fatal: one run lists them all.

use std::fs;

use crate::compile_fail;
use crate::course::{Course, Exercise, Mode, Side};
use crate::engine::Engine;
use crate::error::Error;
use crate::report::Reporter;

/// What the check found.
#[derive(Debug, Default)]
pub struct CheckReport {
    pub problems: Vec<String>,
    pub solutions_checked: usize,
    pub stubs_checked: usize,
    pub stress_runs: usize,
}

impl CheckReport {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Runs every check; `stress` extra runs of each solution's tests.
pub fn check(
    engine: &Engine<'_>,
    stress: usize,
    reporter: &Reporter,
) -> Result<CheckReport, Error> {
    let course = engine.course;
    let mut report = CheckReport::default();
    report.problems.extend(layout_problems(course));
    for problem in &report.problems {
        reporter.check_problem(problem);
    }

    let all: Vec<&Exercise> = course.exercises.iter().collect();
    reporter.check_stage(&format!("grading {} solutions", all.len()));
    let solutions = engine.grade_all(&all, Side::Solution, &|_| {})?;
    for (exercise, graded) in all.iter().zip(&solutions) {
        report.solutions_checked += 1;
        if !graded.verdict().passed() {
            let problem = format!("solution of `{}` does not pass", exercise.name);
            reporter.check_problem(&problem);
            reporter.graded(course, exercise, graded);
            report.problems.push(problem);
        }
    }

    reporter.check_stage(&format!("grading {} stubs", all.len()));
    let stubs = engine.grade_all(&all, Side::Exercise, &|_| {})?;
    for (exercise, graded) in all.iter().zip(&stubs) {
        report.stubs_checked += 1;
        let got = graded.verdict().kind().as_str();
        let declared = exercise.stub.to_string();
        if got != declared {
            let problem = format!(
                "stub of `{}` should fail with {declared} (info.toml `stub`), but got {got}",
                exercise.name
            );
            reporter.check_problem(&problem);
            reporter.graded(course, exercise, graded);
            report.problems.push(problem);
        }
    }

    // Wrong answers the tests must reject, alternatives they must accept.
    crate::variants::check(engine, stress, reporter, &mut report.problems)?;

    if stress > 0 {
        stress_solutions(engine, &all, stress, reporter, &mut report)?;
    }
    reporter.check_summary(
        report.problems.len(),
        report.solutions_checked,
        report.stubs_checked,
        report.stress_runs,
    );
    Ok(report)
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
            let problem = format!(
                "solution of `{}` is flaky: {} of {times} runs did not pass (first: {})",
                exercise.name,
                flaky.len(),
                crate::report::human::judgement_line(first)
            );
            reporter.check_problem(&problem);
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
fn layout_problems(course: &Course) -> Vec<String> {
    let mut problems = Vec::new();
    for exercise in &course.exercises {
        let stub_path = course.path(exercise, Side::Exercise);
        let solution_path = course.path(exercise, Side::Solution);
        let stub = fs::read_to_string(&stub_path).unwrap_or_default();
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
            Mode::Test => match crate::tamper::Spec::from_source(&solution) {
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
            },
            Mode::CompileFail => problems.extend(ui_case_problems(course, exercise)),
        }
    }
    problems
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
