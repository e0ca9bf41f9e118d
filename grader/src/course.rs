//! The course as data: `info.toml` parsed and validated into a [`Course`].
//!
//! Everything here is checked against the files on disk before anything is graded, and
//! every problem is reported with the file, line and column and what to do about it. The
//! deeper consistency checks that authors need (Cargo targets, topic READMEs, identical
//! test modules) live in `devcheck.rs`; this module only refuses what the grader cannot
//! work with.
//!
//! Must not: grade, print, start processes or write anything; a course is read, never
//! changed. It knows no verdicts (those are `verdict`'s, a layer up).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use crate::error::{ConfigError, Error, line_col};

/// The only `format_version` this grader reads.
pub const FORMAT_VERSION: u32 = 1;
/// The course description, at the root of the course.
pub const INFO_FILE: &str = "info.toml";
/// Where the stubs live, relative to the root.
pub const EXERCISES_DIR: &str = "exercises";
/// Where the reference solutions live, relative to the root.
pub const SOLUTIONS_DIR: &str = "solutions";
/// The feature that makes the stubs' bin targets buildable.
pub const EXERCISES_FEATURE: &str = "exercises";
/// The trybuild harness package, relative to the root.
pub const UI_HARNESS_DIR: &str = "grader/ui-harness";
/// The test-run time limit when neither the course nor the exercise sets one.
const FALLBACK_TIMEOUT_SECS: u64 = 10;
/// The compile limit of a learner crate when the course does not set one: a normal
/// exercise compiles in well under a second.
const FALLBACK_COMPILE_TIMEOUT_SECS: u64 = 60;
/// Loom's preemption bound when a model-checked exercise does not set `preemptions`.
const DEFAULT_PREEMPTIONS: u32 = 2;
/// Above this, a model run takes minutes, not seconds.
const MAX_PREEMPTIONS: u32 = 5;

/// How an exercise is graded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Build the exercise and run its tests.
    Test,
    /// A Send/Sync lesson: trybuild checks which snippets compile and which must not.
    CompileFail,
    /// A memory-ordering or lock lesson: its tests run under the model checker (loom),
    /// built with `--cfg loom` in a target directory of their own.
    ModelCheck,
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mode::Test => "test",
            Mode::CompileFail => "compile_fail",
            Mode::ModelCheck => "model_check",
        })
    }
}

/// Why the pristine stub of an exercise fails: the verdict kind `dev check` expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StubFailure {
    CompileError,
    TestFailed,
    Timeout,
}

/// One exercise, validated.
#[derive(Clone, Debug)]
pub struct Exercise {
    pub name: String,
    /// Folder under `exercises/` and `solutions/`.
    pub dir: String,
    pub topic: String,
    pub mode: Mode,
    pub stub: StubFailure,
    pub hints: Vec<String>,
    pub timeout: Duration,
    /// Weight in classroom grading.
    pub points: u32,
}

impl Exercise {
    /// `<dir>/<name>.rs`, the path under both `exercises/` and `solutions/`.
    pub fn relative_path(&self) -> PathBuf {
        Path::new(&self.dir).join(format!("{}.rs", self.name))
    }

    /// `exercises/<dir>/<name>.rs` (or under `solutions/`), with slashes on every system:
    /// what the learner sees, and git's path syntax.
    pub fn display_path(&self, side: Side) -> String {
        format!("{}/{}/{}.rs", side.dir(), self.dir, self.name)
    }
}

/// How far the model checker explores a model-checked exercise: loom's
/// `LOOM_MAX_PREEMPTIONS` and `LOOM_MAX_BRANCHES`, from the exercise's `preemptions` and
/// `branches` in info.toml.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModelBounds {
    /// How many times a thread may be switched out while it could go on. The bugs of a
    /// small lesson show within two or three; each one more multiplies the executions.
    pub preemptions: u32,
    /// Branch points in one execution before loom gives up on it (loom's default: 1000).
    pub branches: Option<u32>,
}

impl Default for ModelBounds {
    fn default() -> Self {
        ModelBounds {
            preemptions: DEFAULT_PREEMPTIONS,
            branches: None,
        }
    }
}

impl ModelBounds {
    /// The environment of a model-checked test run: loom's bounds, and the source
    /// locations of the accesses it reports.
    pub fn env(self) -> Vec<(&'static str, String)> {
        let mut env = vec![
            ("LOOM_LOCATION", "1".to_owned()),
            ("LOOM_MAX_PREEMPTIONS", self.preemptions.to_string()),
        ];
        if let Some(branches) = self.branches {
            env.push(("LOOM_MAX_BRANCHES", branches.to_string()));
        }
        env
    }
}

/// Which copy of an exercise to work on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The learner's file under `exercises/`.
    Exercise,
    /// The reference solution under `solutions/`.
    Solution,
}

impl Side {
    pub fn dir(self) -> &'static str {
        match self {
            Side::Exercise => EXERCISES_DIR,
            Side::Solution => SOLUTIONS_DIR,
        }
    }
}

/// The validated course.
#[derive(Debug)]
pub struct Course {
    pub root: PathBuf,
    pub welcome_message: Option<String>,
    /// CPU time the compiler may spend on one learner crate (dependencies are not held
    /// to it): the bound on a compile-time loop.
    pub compile_timeout: Duration,
    pub final_message: Option<String>,
    pub exercises: Vec<Exercise>,
    /// The model checker's bounds of each `model_check` exercise, by name.
    model_bounds: BTreeMap<String, ModelBounds>,
}

impl Course {
    /// Finds the course root: the nearest ancestor of `start` holding `info.toml`.
    pub fn find_root(start: &Path) -> Result<PathBuf, Error> {
        start
            .ancestors()
            .find(|dir| dir.join(INFO_FILE).is_file())
            .map(Path::to_path_buf)
            .ok_or_else(|| {
                Error::Config(ConfigError::plain(format!(
                    "no {INFO_FILE} in {} or any folder above it: run threadlings inside \
                     the course checkout, or pass --course-dir",
                    start.display()
                )))
            })
    }

    /// Loads and validates `<root>/info.toml` against the files on disk.
    pub fn load(root: &Path) -> Result<Course, Error> {
        let info_path = root.join(INFO_FILE);
        let text = fs::read_to_string(&info_path).map_err(|source| Error::Io {
            action: format!("read {}", info_path.display()),
            source,
        })?;
        let course = Course::parse(root, &info_path, &text).map_err(Error::Config)?;
        let problems: Vec<String> = [Side::Exercise, Side::Solution]
            .into_iter()
            .flat_map(|side| manifest_problems(&course, side))
            .collect();
        if !problems.is_empty() {
            return Err(Error::Config(ConfigError::plain(problems.join("\n"))));
        }
        Ok(course)
    }

    /// Parses `text` (the contents of `info_path`) and checks it against the files under
    /// `root`.
    pub fn parse(root: &Path, info_path: &Path, text: &str) -> Result<Course, ConfigError> {
        let at = |span: Range<usize>, message: String| {
            ConfigError::at(info_path, text, span.start, message)
        };
        let raw: RawInfo = toml::from_str(text).map_err(|err| {
            let offset = err.span().map_or(0, |span| span.start);
            at(offset..offset, err.message().to_owned())
        })?;
        if *raw.format_version.get_ref() != FORMAT_VERSION {
            return Err(at(
                raw.format_version.span(),
                format!(
                    "format_version {} is not supported: this grader reads version \
                     {FORMAT_VERSION}; update threadlings (`git pull`)",
                    raw.format_version.get_ref()
                ),
            ));
        }
        let default_timeout = match raw.default_timeout {
            Some(secs) => positive_secs(&secs, &at)?,
            None => FALLBACK_TIMEOUT_SECS,
        };
        let compile_timeout = match raw.compile_timeout {
            Some(secs) => positive_secs(&secs, &at)?,
            None => FALLBACK_COMPILE_TIMEOUT_SECS,
        };
        if raw.exercises.is_empty() {
            return Err(at(0..0, "the course has no [[exercises]]".to_owned()));
        }

        let mut seen: HashMap<String, Range<usize>> = HashMap::new();
        let mut model_bounds = BTreeMap::new();
        let mut exercises = Vec::with_capacity(raw.exercises.len());
        for entry in raw.exercises {
            let name = entry.name.get_ref().clone();
            if !is_identifier(&name) {
                return Err(at(
                    entry.name.span(),
                    format!(
                        "exercise name `{name}` must be a lowercase identifier \
                         (letters, digits, `_`), because it is also the bin target's name"
                    ),
                ));
            }
            if let Some(first) = seen.insert(name.clone(), entry.name.span()) {
                let line = line_col(text, first.start).0;
                return Err(at(
                    entry.name.span(),
                    format!(
                        "duplicate exercise name `{name}` (first used on line {line}); names must be unique"
                    ),
                ));
            }
            let dir = entry.dir.get_ref().clone();
            if dir.is_empty() || Path::new(&dir).is_absolute() || dir.contains("..") {
                return Err(at(
                    entry.dir.span(),
                    format!("dir `{dir}` must be a folder name under {EXERCISES_DIR}/"),
                ));
            }
            if entry.hints.get_ref().is_empty() {
                return Err(at(
                    entry.hints.span(),
                    format!("exercise `{name}` needs at least one hint"),
                ));
            }
            let mode = entry.mode.unwrap_or(Mode::Test);
            if let Some(bounds) = model_bounds_of(&name, mode, &entry, &at)? {
                model_bounds.insert(name.clone(), bounds);
            }
            let timeout = match entry.timeout {
                Some(secs) => positive_secs(&secs, &at)?,
                None => default_timeout,
            };
            let exercise = Exercise {
                name,
                dir,
                topic: entry.topic,
                mode,
                stub: entry.stub,
                hints: entry.hints.into_inner(),
                timeout: Duration::from_secs(timeout),
                points: entry.points.unwrap_or(1),
            };
            for side in [Side::Exercise, Side::Solution] {
                let file = root.join(side.dir()).join(exercise.relative_path());
                if !file.is_file() {
                    return Err(at(
                        entry.dir.span(),
                        format!(
                            "exercise `{}`: {} does not exist; create it or fix `dir`/`name`",
                            exercise.name,
                            file.display()
                        ),
                    ));
                }
            }
            exercises.push(exercise);
        }

        let listed: BTreeSet<PathBuf> = exercises
            .iter()
            .map(|exercise| exercise.relative_path())
            .collect();
        if let Some(stray) = unlisted_exercise_files(&root.join(EXERCISES_DIR), &listed)
            .into_iter()
            .next()
        {
            return Err(ConfigError::plain(format!(
                "{}: this exercise file is not listed in {}; add an [[exercises]] entry for \
                 it or move it out of {EXERCISES_DIR}/",
                root.join(EXERCISES_DIR).join(&stray).display(),
                info_path.display()
            )));
        }

        Ok(Course {
            root: root.to_path_buf(),
            welcome_message: raw.welcome_message,
            final_message: raw.final_message,
            compile_timeout: Duration::from_secs(compile_timeout),
            exercises,
            model_bounds,
        })
    }

    /// The exercise called `name` (any case; its file's path, as the learner may paste
    /// it, works too), or an error that suggests the closest names.
    pub fn exercise(&self, name: &str) -> Result<&Exercise, Error> {
        let wanted = name.trim().to_lowercase().replace('\\', "/");
        // `exercises/01_threads/threads1.rs`, `./threads1.rs`, `threads1.rs` → `threads1`.
        let stem = wanted
            .rsplit('/')
            .next()
            .unwrap_or(&wanted)
            .trim_end_matches(".rs");
        if let Some(exercise) = self.exercises.iter().find(|exercise| exercise.name == stem) {
            return Ok(exercise);
        }
        let mut close: Vec<(f64, &str)> = self
            .exercises
            .iter()
            .map(|exercise| {
                let candidate = exercise.name.as_str();
                (strsim::jaro_winkler(stem, candidate), candidate)
            })
            .filter(|(score, _)| *score >= 0.85)
            .collect();
        close.sort_by(|a, b| b.0.total_cmp(&a.0));
        let close: Vec<&str> = close.into_iter().take(3).map(|(_, name)| name).collect();
        let list = format!(
            "`{} list` shows every exercise",
            crate::invocation::command()
        );
        let suggestion = if close.is_empty() {
            list
        } else {
            format!("did you mean {}? ({list})", close.join(", "))
        };
        Err(Error::Usage(format!(
            "no exercise named `{name}`: {suggestion}"
        )))
    }

    /// The file of `exercise` on `side` in the course's own tree (the trusted reference
    /// solution on [`Side::Solution`]; in a checkout, also the learner's file).
    pub fn path(&self, exercise: &Exercise, side: Side) -> PathBuf {
        self.root.join(side.dir()).join(exercise.relative_path())
    }

    /// The manifest of the package that holds `side`'s bin targets.
    pub fn manifest(&self, side: Side) -> PathBuf {
        self.root.join(side.dir()).join("Cargo.toml")
    }

    /// The course's trybuild harness package, whose cases are the compile-fail lessons'
    /// specification (a submission grades with its own copy: see
    /// [`crate::submission::Submission::ui_harness_dir`]).
    pub fn ui_harness_dir(&self) -> PathBuf {
        self.root.join(UI_HARNESS_DIR)
    }

    /// The lesson-owned snippets of a compile-fail lesson: `pass/` and `fail/`.
    pub fn ui_cases_dir(&self, exercise: &Exercise) -> PathBuf {
        self.ui_harness_dir().join("cases").join(&exercise.name)
    }

    /// A course with `exercises` and defaults for everything else, for unit tests.
    #[cfg(test)]
    pub fn bare(root: PathBuf, exercises: Vec<Exercise>) -> Course {
        Course {
            root,
            welcome_message: None,
            final_message: None,
            compile_timeout: Duration::from_secs(FALLBACK_COMPILE_TIMEOUT_SECS),
            exercises,
            model_bounds: BTreeMap::new(),
        }
    }

    /// The model checker's bounds of `exercise` (meaningful for `model_check` ones).
    pub fn model_bounds(&self, exercise: &Exercise) -> ModelBounds {
        self.model_bounds
            .get(&exercise.name)
            .copied()
            .unwrap_or_default()
    }
}

/// A hash of an exercise file's contents that is stable across runs and toolchains
/// (FNV-1a): enough to tell whether a file changed since it was last graded or compiled.
pub fn content_hash(source: &str) -> String {
    use std::hash::Hasher as _;
    let mut hasher = fnv::FnvHasher::default();
    hasher.write(source.as_bytes());
    format!("{:016x}", hasher.finish())
}

/// `.rs` files under `exercises_dir` (one level of topic folders) that `listed` lacks.
/// Only the topic folders are exercise folders; `ui/` folders of compile-fail lessons and
/// anything deeper are lesson material, not exercises.
pub fn unlisted_exercise_files(exercises_dir: &Path, listed: &BTreeSet<PathBuf>) -> Vec<PathBuf> {
    let Ok(topics) = fs::read_dir(exercises_dir) else {
        return Vec::new();
    };
    let mut stray = Vec::new();
    for topic in topics.flatten() {
        if !topic.file_type().is_ok_and(|kind| kind.is_dir()) {
            continue;
        }
        let Ok(files) = fs::read_dir(topic.path()) else {
            continue;
        };
        for file in files.flatten() {
            let relative = Path::new(&topic.file_name()).join(file.file_name());
            if relative.extension().is_some_and(|ext| ext == "rs") && !listed.contains(&relative) {
                stray.push(relative);
            }
        }
    }
    stray.sort();
    stray
}

#[derive(Deserialize)]
struct Manifest {
    #[serde(default)]
    bin: Vec<Bin>,
}

#[derive(Deserialize)]
struct Bin {
    name: String,
    path: Option<String>,
    #[serde(default, rename = "required-features")]
    required_features: Vec<String>,
}

/// The `[[bin]]` targets of `side`'s manifest against info.toml.
pub fn manifest_problems(course: &Course, side: Side) -> Vec<String> {
    let path = course.manifest(side);
    let manifest = match fs::read_to_string(&path)
        .map_err(|err| err.to_string())
        .and_then(|text| toml::from_str::<Manifest>(&text).map_err(|err| err.to_string()))
    {
        Ok(manifest) => manifest,
        Err(why) => return vec![format!("{}: {why}", path.display())],
    };
    let mut problems = Vec::new();
    let bins: BTreeMap<&str, &Bin> = manifest
        .bin
        .iter()
        .map(|bin| (bin.name.as_str(), bin))
        .collect();
    for exercise in &course.exercises {
        let expected_path = format!("{}/{}.rs", exercise.dir, exercise.name);
        let gated = side == Side::Exercise;
        let entry = format!(
            "[[bin]]\nname = \"{}\"\npath = \"{expected_path}\"{}",
            exercise.name,
            if gated {
                format!("\nrequired-features = [\"{EXERCISES_FEATURE}\"]")
            } else {
                String::new()
            }
        );
        match bins.get(exercise.name.as_str()) {
            None => problems.push(format!(
                "{}: no bin target for `{}`; add:\n{entry}",
                path.display(),
                exercise.name
            )),
            Some(bin) => {
                if bin.path.as_deref().map(Path::new) != Some(Path::new(&expected_path)) {
                    problems.push(format!(
                        "{}: bin `{}` should have path = \"{expected_path}\"",
                        path.display(),
                        exercise.name
                    ));
                }
                let has_feature = bin
                    .required_features
                    .iter()
                    .any(|feature| feature == EXERCISES_FEATURE);
                if gated != has_feature {
                    problems.push(format!(
                        "{}: bin `{}` {} required-features = [\"{EXERCISES_FEATURE}\"]",
                        path.display(),
                        exercise.name,
                        if gated { "needs" } else { "must not have" }
                    ));
                }
            }
        }
    }
    for bin in &manifest.bin {
        if course
            .exercises
            .iter()
            .all(|exercise| exercise.name != bin.name)
        {
            problems.push(format!(
                "{}: bin `{}` is not an exercise in info.toml",
                path.display(),
                bin.name
            ));
        }
    }
    problems
}

fn positive_secs(
    secs: &Spanned<u64>,
    at: &impl Fn(Range<usize>, String) -> ConfigError,
) -> Result<u64, ConfigError> {
    match *secs.get_ref() {
        0 => Err(at(
            secs.span(),
            "a timeout must be at least 1 second".to_owned(),
        )),
        value if value > 3600 => Err(at(
            secs.span(),
            format!(
                "a timeout of {value} seconds is more than an hour; use seconds, e.g. `timeout = 10`"
            ),
        )),
        value => Ok(value),
    }
}

/// The model checker's bounds of an entry: only `model_check` exercises may set them.
fn model_bounds_of(
    name: &str,
    mode: Mode,
    entry: &RawExercise,
    at: &impl Fn(Range<usize>, String) -> ConfigError,
) -> Result<Option<ModelBounds>, ConfigError> {
    if mode != Mode::ModelCheck {
        if let Some(key) = entry.preemptions.as_ref().or(entry.branches.as_ref()) {
            return Err(at(
                key.span(),
                format!(
                    "exercise `{name}`: `preemptions` and `branches` bound the model checker, \
                     so they need `mode = \"model_check\"`; remove them or set the mode"
                ),
            ));
        }
        return Ok(None);
    }
    let mut bounds = ModelBounds::default();
    if let Some(preemptions) = &entry.preemptions {
        bounds.preemptions = match *preemptions.get_ref() {
            value if value > MAX_PREEMPTIONS => {
                return Err(at(
                    preemptions.span(),
                    format!(
                        "exercise `{name}`: preemptions = {value} makes the model checker \
                         explore for minutes or hours; the bugs of a lesson show within 2 or 3 \
                         (at most {MAX_PREEMPTIONS})"
                    ),
                ));
            }
            value => value,
        };
    }
    if let Some(branches) = &entry.branches {
        if *branches.get_ref() == 0 {
            return Err(at(
                branches.span(),
                format!("exercise `{name}`: branches must be at least 1 (loom's default is 1000)"),
            ));
        }
        bounds.branches = Some(*branches.get_ref());
    }
    Ok(Some(bounds))
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|first| first.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInfo {
    format_version: Spanned<u32>,
    default_timeout: Option<Spanned<u64>>,
    compile_timeout: Option<Spanned<u64>>,
    welcome_message: Option<String>,
    final_message: Option<String>,
    #[serde(default)]
    exercises: Vec<RawExercise>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExercise {
    name: Spanned<String>,
    dir: Spanned<String>,
    topic: String,
    mode: Option<Mode>,
    stub: StubFailure,
    hints: Spanned<Vec<String>>,
    timeout: Option<Spanned<u64>>,
    points: Option<u32>,
    /// `model_check` only: loom's preemption bound.
    preemptions: Option<Spanned<u32>>,
    /// `model_check` only: loom's branch bound.
    branches: Option<Spanned<u32>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn course_dir(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for file in files {
            let path = dir.path().join(file);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, "fn main() {}\n").unwrap();
        }
        dir
    }

    const ONE: &str = r#"format_version = 1
[[exercises]]
name = "threads1"
dir = "01_threads"
topic = "threads"
stub = "test_failed"
hints = ["look"]
"#;

    fn parse(dir: &Path, text: &str) -> Result<Course, ConfigError> {
        Course::parse(dir, &dir.join(INFO_FILE), text)
    }

    #[test]
    fn a_valid_course_loads_with_defaults() {
        let dir = course_dir(&[
            "exercises/01_threads/threads1.rs",
            "solutions/01_threads/threads1.rs",
        ]);
        let course = parse(dir.path(), ONE).unwrap();
        let exercise = &course.exercises[0];
        assert_eq!(exercise.mode, Mode::Test);
        assert_eq!(exercise.timeout, Duration::from_secs(FALLBACK_TIMEOUT_SECS));
        assert_eq!(exercise.points, 1);
    }

    #[test]
    fn an_unknown_key_names_its_line_and_column() {
        let dir = course_dir(&[
            "exercises/01_threads/threads1.rs",
            "solutions/01_threads/threads1.rs",
        ]);
        let text = ONE.replace("topic = ", "tpoic = ");
        let err = parse(dir.path(), &text).unwrap_err().to_string();
        assert!(err.contains("info.toml:5:1"), "{err}");
        assert!(err.contains("unknown field `tpoic`"), "{err}");
    }

    #[test]
    fn a_duplicate_name_points_at_both_entries() {
        let dir = course_dir(&[
            "exercises/01_threads/threads1.rs",
            "solutions/01_threads/threads1.rs",
        ]);
        let text = format!("{ONE}{}", ONE.replace("format_version = 1\n", ""));
        let err = parse(dir.path(), &text).unwrap_err().to_string();
        assert!(err.contains("info.toml:9:8"), "{err}");
        assert!(err.contains("first used on line 3"), "{err}");
    }

    #[test]
    fn a_missing_file_is_named() {
        let dir = course_dir(&["exercises/01_threads/threads1.rs"]);
        let err = parse(dir.path(), ONE).unwrap_err().to_string();
        assert!(
            err.contains("solutions/01_threads/threads1.rs does not exist"),
            "{err}"
        );
    }

    #[test]
    fn an_unlisted_exercise_file_is_reported() {
        let dir = course_dir(&[
            "exercises/01_threads/threads1.rs",
            "solutions/01_threads/threads1.rs",
            "exercises/01_threads/threads2.rs",
        ]);
        let err = parse(dir.path(), ONE).unwrap_err().to_string();
        assert!(
            err.contains("threads2.rs: this exercise file is not listed"),
            "{err}"
        );
    }

    #[test]
    fn a_model_checked_exercise_has_its_bounds() {
        let dir = course_dir(&[
            "exercises/01_threads/threads1.rs",
            "solutions/01_threads/threads1.rs",
        ]);
        let text = ONE.replace(
            "hints = [\"look\"]",
            "hints = [\"look\"]\nmode = \"model_check\"\npreemptions = 3\nbranches = 5000",
        );
        let course = parse(dir.path(), &text).unwrap();
        let exercise = &course.exercises[0];
        assert_eq!(exercise.mode, Mode::ModelCheck);
        let bounds = course.model_bounds(exercise);
        assert_eq!(
            bounds,
            ModelBounds {
                preemptions: 3,
                branches: Some(5000)
            }
        );
        assert!(
            bounds
                .env()
                .contains(&("LOOM_MAX_BRANCHES", "5000".to_owned()))
        );
        let plain = parse(
            dir.path(),
            &ONE.replace("hints", "mode = \"model_check\"\nhints"),
        )
        .unwrap();
        assert_eq!(
            plain.model_bounds(&plain.exercises[0]),
            ModelBounds::default()
        );
    }

    #[test]
    fn malformed_toml_is_located() {
        let dir = course_dir(&[]);
        let err = parse(dir.path(), "format_version = 1\n[[exercises]\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("info.toml:2:"), "{err}");
    }

    #[test]
    fn bad_values_are_refused() {
        let dir = course_dir(&[
            "exercises/01_threads/threads1.rs",
            "solutions/01_threads/threads1.rs",
        ]);
        for (from, to, expected) in [
            (
                "format_version = 1",
                "format_version = 2",
                "format_version 2 is not supported",
            ),
            (
                "hints = [\"look\"]",
                "hints = []",
                "needs at least one hint",
            ),
            (
                "stub = \"test_failed\"",
                "stub = \"flaky\"",
                "unknown variant `flaky`",
            ),
            (
                "name = \"threads1\"",
                "name = \"Threads 1\"",
                "must be a lowercase identifier",
            ),
            (
                "hints = [\"look\"]",
                "hints = [\"look\"]\ntimeout = 0",
                "at least 1 second",
            ),
            (
                "hints = [\"look\"]",
                "hints = [\"look\"]\npreemptions = 2",
                "need `mode = \"model_check\"`",
            ),
            (
                "hints = [\"look\"]",
                "hints = [\"look\"]\nmode = \"model_check\"\npreemptions = 9",
                "at most 5",
            ),
            (
                "hints = [\"look\"]",
                "hints = [\"look\"]\nmode = \"model_check\"\nbranches = 0",
                "branches must be at least 1",
            ),
            (
                "hints = [\"look\"]",
                "hints = [\"look\"]\nmode = \"model_chek\"",
                "unknown variant `model_chek`",
            ),
        ] {
            let err = parse(dir.path(), &ONE.replace(from, to))
                .unwrap_err()
                .to_string();
            assert!(err.contains(expected), "{from} -> {to}: {err}");
        }
    }
}
