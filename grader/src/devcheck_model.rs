//! `dev check` for model-checked exercises: every single-ordering weakening of every
//! model-checked solution, and every hand-written wrong answer of one, must be rejected
//! by its own tests under the model checker; every hand-written alternative must pass.
//!
//! The weakenings come from `weaken.rs` (pure); the hand-written answers are the
//! `solutions/<dir>/wrong/` and `alt/` files of model-checked exercises that `variants.rs`
//! finds (and checks the layout of), with the solution's tests put in. All are built
//! together as bins of a package of variants in the model-check target directory
//! (`Cargo::build_variants`) and run once under the
//! model checker with the exercise's bounds, like the exercise itself: it explores every
//! interleaving within the bounds, so one run is the whole verdict. A weakening that
//! passes means the solution is not the weakest correct one, or its tests cannot tell:
//! either way a problem for the author. Weakenings and wrong answers together must number
//! at least [`MIN_WRONG`] per exercise.
//!
//! Must not: print but through the reporter, or start a process but through `build` and
//! `run`.

use std::fs;

use crate::build::Flavor;
use crate::course::{Course, Exercise, Mode, Side};
use crate::engine::Engine;
use crate::error::Error;
use crate::problem::{Problem, ProblemKind};
use crate::report::Reporter;
use crate::variants::{self, Kind, MIN_WRONG, Variant};
use crate::verdict::{Judgement, VerdictKind};
use crate::weaken::{self, Weakening};

/// What the check found: problems, and how many weakenings were rejected.
#[derive(Debug, Default)]
pub struct WeakeningReport {
    pub problems: Vec<Problem>,
    pub rejected: usize,
}

/// Where one bin of the scratch package comes from.
enum Origin<'c> {
    /// The solution with one ordering weakened.
    Weakened(Weakening),
    /// A hand-written wrong or alternative answer.
    Written(Variant<'c>),
}

/// The hand-written wrong and alternative answers of model-checked exercises.
fn written(course: &Course) -> Vec<Variant<'_>> {
    // Misnamed files are reported by `variants::check`, which finds the same files.
    variants::discover(course)
        .0
        .into_iter()
        .filter(|variant| variant.exercise.mode == Mode::ModelCheck)
        .collect()
}

/// "wrong answer `x` of `ordering2`", "alternative `y` of `ordering7`".
fn written_name(variant: &Variant<'_>) -> String {
    format!(
        "{} `{}` of `{}`",
        match variant.kind {
            Kind::Wrong => "wrong answer",
            Kind::Alt => "alternative",
        },
        variant.stem,
        variant.exercise.name
    )
}

/// Judges one hand-written answer's run under the model checker: `Ok` with what to show,
/// or `Err` with the problem. `failure` is the run's judgement if it did not pass.
fn judge_written(variant: &Variant<'_>, failure: Option<&Judgement>) -> Result<String, Problem> {
    let name = written_name(variant);
    let exercise = &variant.exercise.name;
    let accepted = |message| Problem::of(ProblemKind::WrongAnswerAccepted, exercise, message);
    match (variant.kind, failure) {
        (Kind::Wrong, None) => Err(accepted(format!(
            "{name} passed the model checker: its tests do not reject it ({})",
            variant.claim()
        ))),
        (Kind::Wrong, Some(failure)) => {
            let line = crate::report::human::judgement_line(failure);
            if matches!(
                failure.verdict.kind(),
                VerdictKind::TestFailed | VerdictKind::Timeout | VerdictKind::Crashed
            ) {
                Ok(format!("{name}: rejected by the model checker ({line})"))
            } else {
                Err(accepted(format!(
                    "{name} was rejected as {}, not by its tests: {line}",
                    failure.verdict.kind().as_str()
                )))
            }
        }
        (Kind::Alt, None) => Ok(format!("{name}: passed the model checker")),
        (Kind::Alt, Some(failure)) => Err(Problem::of(
            ProblemKind::AlternativeRejected,
            exercise,
            format!(
                "{name} failed under the model checker: the tests reject a correct answer ({})",
                crate::report::human::judgement_line(failure)
            ),
        )),
    }
}

/// Exercises with fewer than [`MIN_WRONG`] wrong answers, weakenings and hand-written
/// together: `weakened` and `wrong` count them per exercise, by position in `exercises`.
fn count_problems(exercises: &[&Exercise], weakened: &[usize], wrong: &[usize]) -> Vec<Problem> {
    let mut problems = Vec::new();
    for ((exercise, &weakened), &wrong) in exercises.iter().zip(weakened).zip(wrong) {
        if weakened + wrong < MIN_WRONG {
            problems.push(Problem::of(
                ProblemKind::TooFewWrongAnswers,
                &exercise.name,
                format!(
                    "`{}` has {} wrong answer(s): {weakened} weakening(s) of its solution's \
                     orderings and {wrong} in solutions/{}/wrong/; keep at least {MIN_WRONG} \
                     that the model checker must reject (see CONTRIBUTING.md)",
                    exercise.name,
                    weakened + wrong,
                    exercise.dir
                ),
            ));
        }
    }
    problems
}

/// Builds and runs every weakening and hand-written answer of every model-checked
/// exercise among `selected`.
pub fn check(
    engine: &Engine<'_>,
    selected: &[&Exercise],
    reporter: &Reporter,
) -> Result<WeakeningReport, Error> {
    let course = engine.course;
    let mut report = WeakeningReport::default();
    let mut bins: Vec<(String, String)> = Vec::new();
    let mut origins: Vec<(&Exercise, Origin<'_>)> = Vec::new();
    let model_checked: Vec<&Exercise> = selected
        .iter()
        .copied()
        .filter(|exercise| exercise.mode == Mode::ModelCheck)
        .collect();
    if model_checked.is_empty() {
        return Ok(report);
    }
    let mut weakened = vec![0; model_checked.len()];
    for (index, exercise) in model_checked.iter().enumerate() {
        let path = course.path(exercise, Side::Solution);
        let source =
            fs::read_to_string(&path).map_err(Error::io(format!("read {}", path.display())))?;
        match weaken::weakenings(&source) {
            Ok(found) => {
                weakened[index] = found.len();
                for weakening in found {
                    bins.push((
                        format!("{}_weakened{}", exercise.name, bins.len() + 1),
                        weakening.source.clone(),
                    ));
                    origins.push((exercise, Origin::Weakened(weakening)));
                }
            }
            Err(why) => report.problems.push(Problem::of(
                ProblemKind::SolutionFails,
                &exercise.name,
                format!(
                    "solution of `{}` cannot be read for its orderings: {why}",
                    exercise.name
                ),
            )),
        }
    }
    let weakenings = bins.len();
    let written: Vec<Variant<'_>> = written(course)
        .into_iter()
        .filter(|variant| {
            model_checked
                .iter()
                .any(|exercise| exercise.name == variant.exercise.name)
        })
        .collect();
    let wrong: Vec<usize> = model_checked
        .iter()
        .map(|exercise| {
            written
                .iter()
                .filter(|variant| {
                    variant.kind == Kind::Wrong && variant.exercise.name == exercise.name
                })
                .count()
        })
        .collect();
    report
        .problems
        .extend(count_problems(&model_checked, &weakened, &wrong));
    let alternatives = written.iter().filter(|v| v.kind == Kind::Alt).count();
    for variant in written {
        // One that does not parse is built as it is: the compiler says what is wrong.
        let source = variant
            .buildable(course)
            .unwrap_or_else(|_| variant.source.clone());
        bins.push((variant.bin(), source));
        origins.push((variant.exercise, Origin::Written(variant)));
    }
    reporter.check_stage(&format!(
        "weakenings: {weakenings} single-ordering weakenings of {} model-checked solutions \
         must fail; so must {} hand-written wrong answers, and {alternatives} alternatives \
         must pass, under the model checker",
        model_checked.len(),
        wrong.iter().sum::<usize>()
    ));
    let built = engine.cargo.build_variants(course, Flavor::Model, &bins)?;
    for ((name, _), (exercise, origin)) in bins.iter().zip(&origins) {
        let executable = match built.result(name) {
            Ok(executable) => executable,
            Err(errors) => {
                let first = errors.lines().next().unwrap_or("no compiler message");
                report.problems.push(Problem::of(
                    ProblemKind::Variant,
                    &exercise.name,
                    match origin {
                        Origin::Weakened(weakening) => format!(
                            "weakening of `{}` ({weakening}) does not compile, so it proves \
                             nothing: {first}",
                            exercise.name
                        ),
                        Origin::Written(variant) => format!(
                            "{} does not compile under the model checker ({first}): a \
                             variant must build, and fail by its tests",
                            written_name(variant)
                        ),
                    },
                ));
                continue;
            }
        };
        let failures = engine.stress(exercise, executable, 1)?;
        match origin {
            Origin::Weakened(weakening) => match failures.first() {
                Some(failure) => {
                    report.rejected += 1;
                    reporter.check_passed(&format!(
                        "rejected: `{}` {weakening}: {}",
                        exercise.name,
                        crate::report::human::judgement_line(failure)
                    ));
                }
                None => report.problems.push(Problem::of(
                    ProblemKind::WrongAnswerAccepted,
                    &exercise.name,
                    format!(
                        "solution of `{}` weakened at {weakening} still passes: the ordering \
                         is stronger than needed, or no test depends on it",
                        exercise.name
                    ),
                )),
            },
            Origin::Written(variant) => match judge_written(variant, failures.first()) {
                Ok(line) => reporter.check_passed(&line),
                Err(problem) => report.problems.push(problem),
            },
        }
    }
    for problem in &report.problems {
        reporter.check_problem(problem, None);
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::Verdict;

    const TESTS: &str = "#[cfg(test)]\nmod tests {\n    #[test]\n    fn t() {}\n}\n";

    /// A course of one test lesson and one model-checked lesson, in a temporary folder,
    /// with `files` written under it.
    fn course_with(files: &[(&str, &str)]) -> (tempfile::TempDir, Course) {
        let root = tempfile::tempdir().unwrap();
        let info = "format_version = 1\n\n[[exercises]]\nname = \"ex1\"\ndir = \"d\"\n\
                    topic = \"t\"\nstub = \"test_failed\"\nhints = [\"a\", \"b\"]\n\n\
                    [[exercises]]\nname = \"ord1\"\ndir = \"m\"\ntopic = \"t\"\n\
                    mode = \"model_check\"\nstub = \"test_failed\"\npreemptions = 2\n\
                    hints = [\"a\", \"b\"]\n";
        let solution = format!("fn main() {{}}\n\n{TESTS}");
        let mut all = vec![
            ("info.toml", info),
            ("exercises/d/ex1.rs", &solution),
            ("solutions/d/ex1.rs", &solution),
            ("exercises/m/ord1.rs", &solution),
            ("solutions/m/ord1.rs", &solution),
            ("solutions/Cargo.toml", "[package]\nname = \"s\"\n"),
        ];
        all.extend_from_slice(files);
        for (path, text) in all {
            let path = root.path().join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        let info_path = root.path().join("info.toml");
        let text = fs::read_to_string(&info_path).unwrap();
        let course = Course::parse(root.path(), &info_path, &text).unwrap();
        (root, course)
    }

    #[test]
    fn model_checked_lessons_answers_are_found_here() {
        let wrong = "// WRONG: loads, then stores\nfn main() {}\n";
        let alt = "// ALT: fetch_update\nfn main() {}\n";
        let other_tests = "// WRONG: other tests\nfn main() {}\n\n#[cfg(test)]\nmod tests {}\n";
        let (_root, course) = course_with(&[
            ("solutions/m/wrong/ord1_load_store.rs", wrong),
            ("solutions/m/alt/ord1_fetch_update.rs", alt),
            ("solutions/m/wrong/ord1_other_tests.rs", other_tests),
            ("solutions/d/wrong/ex1_early.rs", wrong),
        ]);
        let found = written(&course);
        let stems: Vec<(Kind, &str)> = found
            .iter()
            .map(|variant| (variant.kind, variant.stem.as_str()))
            .collect();
        assert_eq!(
            stems,
            [
                (Kind::Wrong, "ord1_load_store"),
                (Kind::Wrong, "ord1_other_tests"),
                (Kind::Alt, "ord1_fetch_update"),
            ],
            "only the model-checked lesson's answers"
        );
        assert_eq!(found[0].bin(), "wrong_ord1_load_store");
        assert_eq!(
            found[0].buildable(&course).unwrap(),
            format!("{wrong}\n{TESTS}")
        );

        // The layout rules still apply.
        let (all, _) = variants::discover(&course);
        let problems = variants::layout_problems(&course, &all);
        let has = |needle: &str| {
            problems
                .iter()
                .any(|problem| problem.message.contains(needle))
        };
        assert!(has("ord1_other_tests.rs: remove its `#[cfg(test)]` module"));
        assert!(
            !has("`ord1` has"),
            "the count of a model-checked lesson is checked here: {problems:?}"
        );
    }

    #[test]
    fn written_answers_are_judged_in_the_model_checkers_words() {
        let (_root, course) = course_with(&[
            (
                "solutions/m/wrong/ord1_load_store.rs",
                "// WRONG: loads, then stores\n",
            ),
            (
                "solutions/m/alt/ord1_fetch_update.rs",
                "// ALT: fetch_update\n",
            ),
        ]);
        let found = written(&course);
        let (wrong, alt) = (&found[0], &found[1]);
        let failed = Judgement {
            verdict: Verdict::TestFailed,
            tests: Vec::new(),
        };
        let problem = judge_written(wrong, None).unwrap_err();
        assert_eq!(problem.kind, ProblemKind::WrongAnswerAccepted);
        assert_eq!(problem.exercise.as_deref(), Some("ord1"));
        assert_eq!(
            problem.message,
            "wrong answer `ord1_load_store` of `ord1` passed the model checker: its tests do \
             not reject it (loads, then stores)"
        );
        assert!(judge_written(wrong, Some(&failed)).unwrap().starts_with(
            "wrong answer `ord1_load_store` of `ord1`: rejected by the model checker"
        ));
        assert_eq!(
            judge_written(alt, None).unwrap(),
            "alternative `ord1_fetch_update` of `ord1`: passed the model checker"
        );
        let rejected = judge_written(alt, Some(&failed)).unwrap_err();
        assert_eq!(rejected.kind, ProblemKind::AlternativeRejected);
        assert!(
            rejected
                .message
                .starts_with("alternative `ord1_fetch_update` of `ord1` failed under the model checker: the tests reject a correct answer")
        );
        let tampered = Judgement {
            verdict: Verdict::Tampered {
                findings: vec![crate::finding::Finding::SucceededDespiteFailure],
            },
            tests: Vec::new(),
        };
        assert!(
            judge_written(wrong, Some(&tampered))
                .unwrap_err()
                .message
                .contains("was rejected as tampered, not by its tests")
        );
    }

    #[test]
    fn weakenings_and_wrong_answers_count_together() {
        let (_root, course) = course_with(&[]);
        let ord1: Vec<&Exercise> = course
            .exercises
            .iter()
            .filter(|exercise| exercise.mode == Mode::ModelCheck)
            .collect();
        assert!(count_problems(&ord1, &[1], &[1]).is_empty());
        assert!(count_problems(&ord1, &[2], &[0]).is_empty());
        assert!(count_problems(&ord1, &[0], &[2]).is_empty());
        let messages: Vec<String> = count_problems(&ord1, &[0], &[1])
            .into_iter()
            .map(|problem| problem.message)
            .collect();
        assert_eq!(
            messages,
            [
                "`ord1` has 1 wrong answer(s): 0 weakening(s) of its solution's orderings and 1 \
              in solutions/m/wrong/; keep at least 2 that the model checker must reject (see \
              CONTRIBUTING.md)"
            ]
        );
    }
}
