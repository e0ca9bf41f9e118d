//! `dev check` for model-checked exercises: every single-ordering weakening of every
//! model-checked solution must be rejected by its own tests.
//!
//! The weakenings come from `weaken.rs` (pure); they are built together as bins of a
//! scratch package in the model-check target directory (`Cargo::build_variants`) and run
//! under the model checker with the exercise's bounds, like the exercise itself. A
//! weakening that passes means the solution is not the weakest correct one, or its tests
//! cannot tell: either way a problem for the author.

use std::fs;

use crate::course::{Exercise, Mode, Side};
use crate::engine::Engine;
use crate::error::Error;
use crate::report::Reporter;
use crate::weaken::{self, Weakening};

/// What the check found: problems, and how many weakenings were rejected.
#[derive(Debug, Default)]
pub struct WeakeningReport {
    pub problems: Vec<String>,
    pub rejected: usize,
}

/// Builds and runs every weakening of every model-checked solution.
pub fn check(engine: &Engine<'_>, reporter: &Reporter) -> Result<WeakeningReport, Error> {
    let course = engine.course;
    let mut report = WeakeningReport::default();
    let mut variants: Vec<(String, String)> = Vec::new();
    let mut origins: Vec<(&Exercise, Weakening)> = Vec::new();
    let model_checked: Vec<&Exercise> = course
        .exercises
        .iter()
        .filter(|exercise| exercise.mode == Mode::ModelCheck)
        .collect();
    if model_checked.is_empty() {
        return Ok(report);
    }
    for exercise in &model_checked {
        let path = course.path(exercise, Side::Solution);
        let source =
            fs::read_to_string(&path).map_err(Error::io(format!("read {}", path.display())))?;
        match weaken::weakenings(&source) {
            Ok(found) => {
                for weakening in found {
                    variants.push((
                        format!("{}_weakened{}", exercise.name, variants.len() + 1),
                        weakening.source.clone(),
                    ));
                    origins.push((exercise, weakening));
                }
            }
            Err(why) => report.problems.push(format!(
                "solution of `{}` cannot be read for its orderings: {why}",
                exercise.name
            )),
        }
    }
    reporter.check_stage(&format!(
        "weakenings: {} single-ordering weakenings of {} model-checked solutions must fail",
        variants.len(),
        model_checked.len()
    ));
    let built = engine.cargo.build_variants(course, &variants)?;
    for ((name, _), (exercise, weakening)) in variants.iter().zip(&origins) {
        match built.result(name) {
            Err(errors) => report.problems.push(format!(
                "weakening of `{}` ({weakening}) does not compile, so it proves nothing: {}",
                exercise.name,
                errors.lines().next().unwrap_or("no compiler message")
            )),
            Ok(executable) => {
                let failures = engine.stress(exercise, executable, 1)?;
                match failures.first() {
                    Some(failure) => {
                        report.rejected += 1;
                        reporter.text(&format!(
                            "   rejected: `{}` {weakening}: {}",
                            exercise.name,
                            crate::report::human::judgement_line(failure)
                        ));
                    }
                    None => report.problems.push(format!(
                        "solution of `{}` weakened at {weakening} still passes: the ordering \
                         is stronger than needed, or no test depends on it",
                        exercise.name
                    )),
                }
            }
        }
    }
    for problem in &report.problems {
        reporter.check_problem(problem);
    }
    Ok(report)
}
