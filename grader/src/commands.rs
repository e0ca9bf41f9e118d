//! The one-shot commands (`run`, `verify`, `list`, `hint`, `reset`, ...): decide what to
//! grade, hand it to the engine with the reporter listening, record the learner's
//! progress.
//!
//! Owns: which exercises a command grades, and its exit code. Must not: grade, judge or
//! print itself (the engine and the report sinks do), or write state but through
//! `progress`.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, BufRead, IsTerminal};
use std::process::ExitCode;
use std::sync::{Mutex, PoisonError};

use crate::build::Cargo;
use crate::classroom;
use crate::cli::{Action, Config};
use crate::course::{Course, Exercise, Side};
use crate::devcheck;
use crate::engine::{Engine, Event, Graded, Listen, Listener, ReferenceSource};
use crate::error::{EXIT_NOT_PASSED, EXIT_PASS, Error};
use crate::gradebook::Gradebook;
use crate::progress::{self, Progress, ResetOutcome};
use crate::report::class::ClassFormat;
use crate::report::{self, Reporter, Shape};
use crate::run;
use crate::watch;

/// Runs the validated command.
pub fn dispatch(config: &Config, reporter: &Reporter) -> Result<ExitCode, Error> {
    let course = &config.course;
    let cargo = Cargo::detect(config.color && config.format.is_human());
    let mut engine = Engine::new(course, cargo, config.backtrace);
    if matches!(
        config.action,
        Action::DevCheck { .. } | Action::DevBless { .. }
    ) {
        // Authors edit solutions before committing them: the working tree is the course.
        engine.reference = ReferenceSource::WorkingTree;
    }
    let progress = Progress::new(&engine.submission);
    if matches!(
        config.action,
        Action::Run { .. } | Action::Verify { .. } | Action::DevCheck { .. }
    ) && !crate::build::course_crates_built(course, &engine.submission)
    {
        // The first grading waits for cargo: never a silent minute.
        reporter.status(
            "building the course's crates (rayon, crossbeam, dashmap, parking_lot and what \
             they use): first time only, a minute or two…",
        );
    }
    match &config.action {
        Action::Watch {
            detection,
            events_json,
        } => watch::run(
            course,
            reporter,
            watch::Options {
                detection: *detection,
                events_json: *events_json,
                color: config.color,
                backtrace: config.backtrace,
            },
        ),
        Action::List => {
            let state = load(&progress, reporter)?;
            reporter.list(course, &progress.done_flags(course, &state));
            Ok(ExitCode::SUCCESS)
        }
        Action::Progress { markdown } => {
            let state = load(&progress, reporter)?;
            reporter.progress(course, &progress.done_flags(course, &state), *markdown);
            Ok(ExitCode::SUCCESS)
        }
        Action::Run { name, solution } => {
            let exercise = course.exercise(name)?;
            let side = if *solution {
                Side::Solution
            } else {
                Side::Exercise
            };
            let graded = engine.grade_one(exercise, side, reporter)?;
            reporter.finish(&[(exercise, &graded)], Shape::One);
            if reporter.format().is_human()
                && side == Side::Exercise
                && graded.verdict().passed()
                && exercise.mode == crate::course::Mode::Test
                && let Ok(output) =
                    crate::program::run_main(&engine.cargo, course, &engine.submission, exercise)
            {
                // As rustlings does: what the program does, once it is right.
                reporter.text(&format!(
                    "\n{}",
                    report::human::program_output(&exercise.name, &output)
                ));
            }
            record(&progress, reporter, std::slice::from_ref(&graded));
            Ok(pass_code(graded.verdict().passed()))
        }
        Action::Verify { names, solutions } => {
            let side = if *solutions {
                Side::Solution
            } else {
                Side::Exercise
            };
            let chosen: Vec<&Exercise> = if names.is_empty() {
                course.exercises.iter().collect()
            } else {
                names
                    .iter()
                    .map(|name| course.exercise(name))
                    .collect::<Result<_, _>>()?
            };
            // Shown in course order as soon as every exercise before it is graded (the
            // runs finish in any order).
            let ready: Mutex<(usize, BTreeMap<usize, Graded>)> = Mutex::new((0, BTreeMap::new()));
            let in_course_order = Listen(|event: &Event<'_>| {
                let Event::Graded { exercise, graded } = event else {
                    reporter.event(event);
                    return;
                };
                let Some(index) = chosen.iter().position(|e| e.name == exercise.name) else {
                    return;
                };
                let mut ready = ready.lock().unwrap_or_else(PoisonError::into_inner);
                let (next, waiting) = &mut *ready;
                waiting.insert(index, (*graded).clone());
                while let Some(graded) = waiting.remove(next) {
                    reporter.event(&Event::Graded {
                        exercise: chosen[*next],
                        graded: &graded,
                    });
                    *next += 1;
                }
            });
            let results = engine.grade_each(&chosen, side, &in_course_order)?;
            record(&progress, reporter, &results);
            let graded: Vec<(&Exercise, &Graded)> = chosen.iter().copied().zip(&results).collect();
            reporter.finish(&graded, Shape::Batch);
            Ok(pass_code(
                results.iter().all(|graded| graded.verdict().passed()),
            ))
        }
        Action::Hint { name, all } => {
            let exercise = course.exercise(name)?;
            let want = if *all {
                exercise.hints.len()
            } else {
                let state = load(&progress, reporter)?;
                state.hints_shown.get(name).copied().unwrap_or(0) + 1
            };
            let (shown, warning) = progress.reveal_hints(exercise, want)?;
            warn(reporter, warning);
            reporter.hints(exercise, shown);
            Ok(ExitCode::SUCCESS)
        }
        Action::Reset { name, yes, from } => reset(course, &progress, reporter, name, *yes, from),
        Action::Solution { name } => {
            let exercise = course.exercise(name)?;
            let path = course.path(exercise, Side::Solution);
            let solution =
                fs::read_to_string(&path).map_err(Error::io(format!("read {}", path.display())))?;
            let state = load(&progress, reporter)?;
            let mine =
                fs::read_to_string(course.path(exercise, Side::Exercise)).unwrap_or_default();
            if !state.is_done(exercise, &mine) {
                reporter.warning(&format!(
                    "`{name}` is not done yet: the solution below is a spoiler. `{} hint \
                     {name}` gives a nudge instead.",
                    crate::invocation::command()
                ));
            }
            reporter.text(&format!(
                "// {}\n{solution}",
                exercise.display_path(Side::Solution)
            ));
            Ok(ExitCode::SUCCESS)
        }
        Action::Grade {
            students,
            assignment,
            formats,
            out,
            options,
        } => {
            if assignment.is_empty() {
                return Err(Error::Usage("the assignment has no exercises".to_owned()));
            }
            let book = classroom::grade::grade(
                course,
                students,
                assignment,
                options,
                &engine.cargo,
                &|progress| reporter.class_progress(&progress),
            )?;
            finish_class(&book, formats, out, reporter)
        }
        Action::MergeReports {
            paths,
            formats,
            out,
        } => {
            let book = classroom::merge::merge(classroom::merge::read(paths)?)?;
            finish_class(&book, formats, out, reporter)
        }
        Action::Doctor => {
            reporter.doctor(&report::Doctor {
                course: course.root.clone(),
                rustc: engine.cargo.rustc_version(course),
                containment: run::containment(),
            });
            Ok(ExitCode::SUCCESS)
        }
        Action::DevCheck {
            only,
            stress,
            committed_stubs,
        } => {
            let source = if *committed_stubs {
                devcheck::StubSource::Committed
            } else {
                devcheck::StubSource::WorkingTree
            };
            let report = devcheck::check(&engine, only, *stress, source, reporter)?;
            Ok(pass_code(report.is_clean()))
        }
        Action::DevBless { name } => {
            devcheck::bless(&engine, course.exercise(name)?, reporter)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn reset(
    course: &Course,
    progress: &Progress,
    reporter: &Reporter,
    name: &str,
    yes: bool,
    from: &str,
) -> Result<ExitCode, Error> {
    let exercise = course.exercise(name)?;
    let relative = exercise.display_path(Side::Exercise);
    if !yes
        && !confirm(
            reporter,
            &format!("Replace {relative} with its version at `{from}`? [y/N] "),
        )?
    {
        reporter.text("Nothing was changed.");
        return Ok(ExitCode::from(EXIT_NOT_PASSED));
    }
    match progress.reset(course, exercise, from)? {
        ResetOutcome::AlreadyOriginal => reporter.text(&format!(
            "{relative} is already as it was at `{from}`; nothing to reset. If you committed \
             your work, pass --from with an earlier revision."
        )),
        ResetOutcome::Restored { backup } => reporter.text(&format!(
            "{relative} is back to its original version; your file was saved as {}",
            backup.display()
        )),
    }
    Ok(ExitCode::SUCCESS)
}

/// Asks on the terminal; refuses when there is no one to ask.
fn confirm(reporter: &Reporter, question: &str) -> Result<bool, Error> {
    if !io::stdin().is_terminal() {
        return Err(Error::Usage(
            "reset replaces your file and needs confirmation: run it in a terminal or pass --yes"
                .to_owned(),
        ));
    }
    reporter.prompt(question);
    let mut answer = String::new();
    io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(Error::io("read the answer"))?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

fn load(progress: &Progress, reporter: &Reporter) -> Result<progress::State, Error> {
    let loaded = progress.load()?;
    warn(reporter, loaded.warning);
    Ok(loaded.state)
}

/// Saves the verdicts. A state that cannot be saved is worth a warning, never the
/// verdict: the exit code still follows it.
fn record(progress: &Progress, reporter: &Reporter, graded: &[Graded]) {
    match progress.record(graded) {
        Ok(warning) => warn(reporter, warning),
        Err(error) => reporter.warning(&format!(
            "progress could not be saved ({error}); the verdict stands, but `{0} list` \
             and `{0} progress` will not count it until it can be",
            crate::invocation::command()
        )),
    }
}

fn warn(reporter: &Reporter, warning: Option<String>) {
    if let Some(warning) = warning {
        reporter.warning(&warning);
    }
}

/// Writes a class's reports and sums it up; passes when every student passed everything.
fn finish_class(
    book: &Gradebook,
    formats: &[ClassFormat],
    out: &std::path::Path,
    reporter: &Reporter,
) -> Result<ExitCode, Error> {
    let written = report::class::write(out, formats, book)?;
    reporter.class_summary(book, &written);
    let everyone_passed = book.students.iter().all(|student| {
        student.error().is_none() && student.exercises().iter().all(|grade| grade.passed())
    });
    Ok(pass_code(everyone_passed))
}

fn pass_code(passed: bool) -> ExitCode {
    ExitCode::from(if passed { EXIT_PASS } else { EXIT_NOT_PASSED })
}
