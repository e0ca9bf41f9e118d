//! The course's mutation testing: wrong answers its tests must reject, and alternative
//! correct answers they must accept.
//!
//! Next to each solution, `solutions/<dir>/wrong/<name>_<slug>.rs` holds a plausible
//! wrong answer (first line `// WRONG: what it gets wrong`) and
//! `solutions/<dir>/alt/<name>_<slug>.rs` a different correct one (`// ALT: how it
//! differs`). Each holds the learner's part of the exercise only: `dev check` puts the
//! solution's pristine test module into it ([`tamper::restore_tests`]), so the tests are
//! written once and a variant cannot drift from them. The variants are built as bins of
//! a package written for the purpose (`Cargo::build_variants`), in one cargo call, and
//! each one's tests run `max(1, --stress)` times: a wrong answer must fail *by its tests*
//! (test_failed, timeout or crashed) in every run, an alternative must pass every run.
//! Compile-fail lessons' variants are whole lesson files, graded through trybuild, once
//! each. Model-checked lessons' variants need the model checker's build:
//! `devcheck_model.rs` grades them with the solution's weakenings; this file only finds
//! them and checks their layout.
//!
//! Must not: print but through the reporter, or start a process but through `build` and
//! `run`.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use crate::build::Flavor;
use crate::compile_fail;
use crate::course::{Course, Exercise, Mode, Side};
use crate::engine::Engine;
use crate::error::Error;
use crate::problem::{Problem, ProblemKind};
use crate::report::Reporter;
use crate::tamper;
use crate::verdict::{Judgement, VerdictKind};

/// Wrong answers every exercise keeps, at least.
pub const MIN_WRONG: usize = 2;

/// Whether a variant must fail or pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Wrong,
    Alt,
}

impl Kind {
    /// The folder under `solutions/<dir>/`, and the bin name's prefix.
    pub fn dir(self) -> &'static str {
        match self {
            Kind::Wrong => "wrong",
            Kind::Alt => "alt",
        }
    }

    /// What the file's first line starts with.
    pub fn marker(self) -> &'static str {
        match self {
            Kind::Wrong => "// WRONG: ",
            Kind::Alt => "// ALT: ",
        }
    }
}

/// One wrong or alternative answer.
#[derive(Clone, Debug)]
pub struct Variant<'c> {
    pub exercise: &'c Exercise,
    pub kind: Kind,
    /// `<name>_<slug>`, the file's stem.
    pub stem: String,
    pub path: PathBuf,
    pub source: String,
}

impl Variant<'_> {
    /// Its bin in the package of variants: `wrong_<stem>` or `alt_<stem>`.
    pub fn bin(&self) -> String {
        format!("{}_{}", self.kind.dir(), self.stem)
    }

    /// The file to build: the variant with the solution's test module put in. Compile-fail
    /// lessons' variants are whole lesson files and stay as they are.
    pub fn buildable(&self, course: &Course) -> Result<String, String> {
        if self.exercise.mode == Mode::CompileFail {
            return Ok(self.source.clone());
        }
        let solution =
            fs::read_to_string(course.path(self.exercise, Side::Solution)).map_err(|err| {
                format!(
                    "cannot read the solution of `{}`: {err}",
                    self.exercise.name
                )
            })?;
        tamper::restore_tests(&self.source, &solution)
    }

    /// What its first line says it gets wrong (or how it differs).
    pub fn claim(&self) -> &str {
        self.source
            .lines()
            .next()
            .and_then(|line| line.strip_prefix(self.kind.marker()))
            .unwrap_or("")
    }
}

/// Finds every variant of `course`, and what is wrong with the layout.
pub fn discover(course: &Course) -> (Vec<Variant<'_>>, Vec<Problem>) {
    let mut variants = Vec::new();
    let mut problems = Vec::new();
    let solutions = course.root.join(Side::Solution.dir());
    let mut dirs: BTreeMap<&str, Vec<&Exercise>> = BTreeMap::new();
    for exercise in &course.exercises {
        dirs.entry(exercise.dir.as_str())
            .or_default()
            .push(exercise);
    }
    for (dir, exercises) in &dirs {
        for kind in [Kind::Wrong, Kind::Alt] {
            let folder = solutions.join(dir).join(kind.dir());
            let Ok(entries) = fs::read_dir(&folder) else {
                continue;
            };
            let mut files: Vec<PathBuf> = entries
                .flatten()
                .map(|entry| entry.path())
                .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
                .collect();
            files.sort();
            for path in files {
                let stem = path
                    .file_stem()
                    .and_then(|stem| stem.to_str())
                    .unwrap_or_default()
                    .to_owned();
                // The longest exercise name that prefixes the stem (`pools1` vs `pools10`).
                let Some(exercise) = exercises
                    .iter()
                    .filter(|exercise| stem.starts_with(&format!("{}_", exercise.name)))
                    .max_by_key(|exercise| exercise.name.len())
                else {
                    problems.push(Problem::course(
                        ProblemKind::Variant,
                        format!(
                            "{} is not named `<exercise>_<slug>.rs` after an exercise of {dir}",
                            path.display()
                        ),
                    ));
                    continue;
                };
                match fs::read_to_string(&path) {
                    Ok(source) => variants.push(Variant {
                        exercise,
                        kind,
                        stem,
                        path,
                        source,
                    }),
                    Err(err) => problems.push(Problem::of(
                        ProblemKind::Variant,
                        &exercise.name,
                        format!("{}: {err}", path.display()),
                    )),
                }
            }
        }
    }
    (variants, problems)
}

/// What is wrong with the variants' files, before anything is built.
pub fn layout_problems(course: &Course, variants: &[Variant<'_>]) -> Vec<Problem> {
    let mut problems = Vec::new();
    for variant in variants {
        let shown = variant.path.display();
        let problem = |message| Problem::of(ProblemKind::Variant, &variant.exercise.name, message);
        if variant.claim().trim().is_empty() {
            problems.push(problem(format!(
                "{shown} must start with `{}...`, saying {}",
                variant.kind.marker(),
                match variant.kind {
                    Kind::Wrong => "what it gets wrong",
                    Kind::Alt => "how it differs from the solution",
                }
            )));
        }
        if variant.exercise.mode != Mode::CompileFail && tamper::has_test_module(&variant.source) {
            problems.push(problem(format!(
                "{shown}: remove its `#[cfg(test)]` module: `dev check` puts the solution's \
                 tests into every variant of `{}`",
                variant.exercise.name
            )));
        }
    }
    // Model-checked lessons count their generated weakenings too: `devcheck_model.rs`
    // applies the rule to them.
    for exercise in course
        .exercises
        .iter()
        .filter(|exercise| exercise.mode != Mode::ModelCheck)
    {
        let wrong = variants
            .iter()
            .filter(|variant| variant.kind == Kind::Wrong && variant.exercise.name == exercise.name)
            .count();
        if wrong < MIN_WRONG {
            problems.push(Problem::of(
                ProblemKind::TooFewWrongAnswers,
                &exercise.name,
                format!(
                    "`{}` has {wrong} wrong answer(s) in solutions/{}/wrong/: keep at least \
                     {MIN_WRONG} that its tests must reject (see CONTRIBUTING.md)",
                    exercise.name, exercise.dir
                ),
            ));
        }
    }
    problems
}

/// What grading one variant `runs` times found.
struct Graded {
    /// Runs that passed.
    passed: usize,
    /// Judgements of the runs that did not pass.
    failed: Vec<Judgement>,
    /// Compiler errors, if it did not build.
    compile_error: Option<String>,
}

/// Grades every variant of the `selected` exercises, `max(1, stress)` runs each, and
/// adds what it finds (and what is wrong with any variant's layout) to `problems`.
/// Called by `dev check`.
pub fn check(
    engine: &Engine<'_>,
    selected: &[&Exercise],
    stress: usize,
    reporter: &Reporter,
    problems: &mut Vec<Problem>,
) -> Result<(), Error> {
    let course = engine.course;
    let (variants, found) = discover(course);
    let mut report = |problem: Problem| {
        reporter.check_problem(&problem, None);
        problems.push(problem);
    };
    for problem in found.into_iter().chain(layout_problems(course, &variants)) {
        report(problem);
    }
    // Model-checked lessons' variants are graded under the model checker, with the
    // weakenings (`devcheck_model.rs`).
    let variants: Vec<Variant<'_>> = variants
        .into_iter()
        .filter(|variant| {
            variant.exercise.mode != Mode::ModelCheck
                && selected
                    .iter()
                    .any(|exercise| exercise.name == variant.exercise.name)
        })
        .collect();
    if variants.is_empty() {
        return Ok(());
    }
    let runs = stress.max(1);
    let wrong = variants.iter().filter(|v| v.kind == Kind::Wrong).count();
    reporter.check_stage(&format!(
        "grading {wrong} wrong answers and {} alternatives, {runs} run(s) each",
        variants.len() - wrong
    ));

    let mut bins = Vec::new();
    for variant in variants
        .iter()
        .filter(|variant| variant.exercise.mode == Mode::Test)
    {
        // One that does not parse is built as it is: the compiler says what is wrong.
        let source = variant
            .buildable(course)
            .unwrap_or_else(|_| variant.source.clone());
        bins.push((variant.bin(), source));
    }
    let built = engine.cargo.build_variants(course, Flavor::Normal, &bins)?;

    let grade = |variant: &Variant<'_>, runs: usize| -> Result<Graded, Error> {
        if variant.exercise.mode == Mode::CompileFail {
            let ran = compile_fail::grade(
                course,
                &engine.submission,
                &engine.cargo,
                variant.exercise,
                &variant.source,
                compile_fail::Expectations::Check,
            )?;
            let passed = ran.judgement.verdict.passed();
            return Ok(Graded {
                passed: usize::from(passed),
                failed: if passed {
                    Vec::new()
                } else {
                    vec![ran.judgement]
                },
                compile_error: None,
            });
        }
        match built.result(&variant.bin()) {
            Err(errors) => Ok(Graded {
                passed: 0,
                failed: Vec::new(),
                compile_error: Some(errors.to_owned()),
            }),
            Ok(executable) => {
                let failed = engine.stress(variant.exercise, executable, runs)?;
                Ok(Graded {
                    passed: runs - failed.len(),
                    failed,
                    compile_error: None,
                })
            }
        }
    };

    // One run each: the variants in parallel, reported once all are done. Stress runs:
    // one variant at a time (its runs in parallel, `Engine::stress`), each reported as
    // soon as it is graded.
    if runs == 1 {
        let next = AtomicUsize::new(0);
        let results = Mutex::new(BTreeMap::new());
        thread::scope(|scope| {
            for _ in 0..engine.jobs.clamp(1, variants.len()) {
                scope.spawn(|| {
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(variant) = variants.get(index) else {
                            break;
                        };
                        let result = grade(variant, 1);
                        results
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .insert(index, result);
                    }
                });
            }
        });
        let results = results
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for (variant, result) in variants.iter().zip(results.into_values()) {
            judge(variant, result?, 1, reporter, &mut report);
        }
    } else {
        for variant in &variants {
            let runs = if variant.exercise.mode == Mode::CompileFail {
                1
            } else {
                runs
            };
            judge(variant, grade(variant, runs)?, runs, reporter, &mut report);
        }
    }
    Ok(())
}

/// Reports how one variant fared against what its kind requires.
fn judge(
    variant: &Variant<'_>,
    graded: Graded,
    runs: usize,
    reporter: &Reporter,
    report: &mut impl FnMut(Problem),
) {
    let exercise = &variant.exercise.name;
    let name = format!(
        "{} answer `{}` of `{}`",
        match variant.kind {
            Kind::Wrong => "wrong",
            Kind::Alt => "alternative",
        },
        variant.stem,
        variant.exercise.name
    );
    if let Some(errors) = graded.compile_error {
        let first = errors.lines().next().unwrap_or("").to_owned();
        report(Problem::of(
            ProblemKind::Variant,
            exercise,
            format!(
                "{name} does not compile ({first}): a variant must build, and fail by its tests"
            ),
        ));
        return;
    }
    let seen = rejections(&graded.failed);
    match variant.kind {
        Kind::Wrong => {
            if graded.passed > 0 {
                report(Problem::of(
                    ProblemKind::WrongAnswerAccepted,
                    exercise,
                    format!(
                        "{name} passed {} of {runs} runs: the tests do not reject it ({})",
                        graded.passed,
                        variant.claim()
                    ),
                ));
            } else if let Some(bad) = graded.failed.iter().find(|judgement| {
                !matches!(
                    judgement.verdict.kind(),
                    VerdictKind::TestFailed | VerdictKind::Timeout | VerdictKind::Crashed
                )
            }) {
                report(Problem::of(
                    ProblemKind::WrongAnswerAccepted,
                    exercise,
                    format!(
                        "{name} was rejected as {}, not by its tests: {}",
                        bad.verdict.kind().as_str(),
                        crate::report::human::judgement_line(bad)
                    ),
                ));
            } else {
                reporter.check_passed(&format!("{name}: rejected {runs}/{runs} ({seen})"));
            }
        }
        Kind::Alt => {
            if let Some(first) = graded.failed.first() {
                report(Problem::of(
                    ProblemKind::AlternativeRejected,
                    exercise,
                    format!(
                        "{name} failed {} of {runs} runs: the tests reject a correct answer \
                         (first: {})",
                        graded.failed.len(),
                        crate::report::human::judgement_line(first)
                    ),
                ));
            } else {
                reporter.check_passed(&format!("{name}: passed {runs}/{runs}"));
            }
        }
    }
}

/// The distinct ways the runs failed, e.g. "test_failed: tests::a".
fn rejections(failed: &[Judgement]) -> String {
    let mut seen: Vec<String> = Vec::new();
    for judgement in failed {
        let line = crate::report::human::judgement_line(judgement);
        if !seen.contains(&line) {
            seen.push(line);
        }
    }
    seen.join(" | ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-exercise course in a temporary folder, with `files` written under it.
    fn course_with(files: &[(&str, &str)]) -> (tempfile::TempDir, Course) {
        let root = tempfile::tempdir().unwrap();
        let info = "format_version = 1\n\n[[exercises]]\nname = \"ex1\"\ndir = \"d\"\n\
                    topic = \"t\"\nstub = \"test_failed\"\nhints = [\"a\", \"b\"]\n";
        let solution = "fn main() {}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn t() {}\n}\n";
        let mut all = vec![
            ("info.toml", info),
            ("exercises/d/ex1.rs", solution),
            ("solutions/d/ex1.rs", solution),
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
    fn variants_are_found_and_their_layout_checked() {
        let learner_part = "// WRONG: returns early\nfn main() {}\n";
        let with_tests =
            "fn main() {}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn u() {}\n}\n";
        let (_root, course) = course_with(&[
            ("solutions/d/wrong/ex1_early.rs", learner_part),
            ("solutions/d/alt/ex1_other.rs", with_tests),
            ("solutions/d/wrong/stray.rs", learner_part),
        ]);
        let (variants, found) = discover(&course);
        let stems: Vec<(Kind, &str)> = variants
            .iter()
            .map(|variant| (variant.kind, variant.stem.as_str()))
            .collect();
        assert_eq!(
            stems,
            [(Kind::Wrong, "ex1_early"), (Kind::Alt, "ex1_other")]
        );
        assert_eq!(variants[0].bin(), "wrong_ex1_early");
        assert_eq!(variants[0].claim(), "returns early");
        assert!(found[0].message.contains("stray.rs"), "{found:?}");
        assert_eq!(found[0].kind, ProblemKind::Variant);
        // Built with the solution's tests put in.
        assert_eq!(
            variants[0].buildable(&course).unwrap(),
            "// WRONG: returns early\nfn main() {}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn t() {}\n}\n"
        );

        let problems = layout_problems(&course, &variants);
        let has = |needle: &str| {
            problems
                .iter()
                .any(|problem| problem.message.contains(needle))
        };
        assert!(
            has("ex1_other.rs must start with `// ALT: ...`"),
            "{problems:?}"
        );
        assert!(
            has("ex1_other.rs: remove its `#[cfg(test)]` module"),
            "the tests are written once, in the solution: {problems:?}"
        );
        assert!(has("`ex1` has 1 wrong answer(s)"), "{problems:?}");
        assert!(
            problems
                .iter()
                .any(|problem| problem.kind == ProblemKind::TooFewWrongAnswers
                    && problem.exercise.as_deref() == Some("ex1")),
            "{problems:?}"
        );
        assert!(
            !has("ex1_early.rs"),
            "the good variant is fine: {problems:?}"
        );
    }

    #[test]
    fn kinds_name_their_folders_and_markers() {
        assert_eq!(Kind::Wrong.dir(), "wrong");
        assert_eq!(Kind::Alt.marker(), "// ALT: ");
    }
}
