//! The course as data: `info.toml` parsed and validated into a [`Course`].
//!
//! Everything here is checked against the files on disk before anything is graded, and
//! every problem is reported with the file, line and column and what to do about it. The
//! deeper consistency checks that authors need (Cargo targets, topic READMEs, identical
//! test modules) live in `devcheck.rs`; this module only refuses what the grader cannot
//! work with.

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
/// The feature that makes the bin targets of the wrong and alternative answers under
/// `solutions/` buildable (see `variants.rs`).
pub const VARIANTS_FEATURE: &str = "variants";
/// The trybuild harness package, relative to the root.
pub const UI_HARNESS_DIR: &str = "grader/ui-harness";
/// The test-run time limit when neither the course nor the exercise sets one.
const FALLBACK_TIMEOUT_SECS: u64 = 10;

/// How an exercise is graded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Build the exercise and run its tests.
    Test,
    /// A Send/Sync lesson: trybuild checks which snippets compile and which must not.
    CompileFail,
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mode::Test => "test",
            Mode::CompileFail => "compile_fail",
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

impl fmt::Display for StubFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StubFailure::CompileError => "compile_error",
            StubFailure::TestFailed => "test_failed",
            StubFailure::Timeout => "timeout",
        })
    }
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
    pub final_message: Option<String>,
    pub exercises: Vec<Exercise>,
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
        if raw.exercises.is_empty() {
            return Err(at(0..0, "the course has no [[exercises]]".to_owned()));
        }

        let mut seen: HashMap<String, Range<usize>> = HashMap::new();
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
            let timeout = match entry.timeout {
                Some(secs) => positive_secs(&secs, &at)?,
                None => default_timeout,
            };
            let exercise = Exercise {
                name,
                dir,
                topic: entry.topic,
                mode: entry.mode.unwrap_or(Mode::Test),
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
            exercises,
        })
    }

    /// The exercise called `name`, or an error that suggests the closest names.
    pub fn exercise(&self, name: &str) -> Result<&Exercise, Error> {
        self.exercises
            .iter()
            .find(|exercise| exercise.name == name)
            .ok_or_else(|| {
                let close: Vec<&str> = self
                    .exercises
                    .iter()
                    .map(|exercise| exercise.name.as_str())
                    .filter(|candidate| {
                        candidate.starts_with(name.trim_end_matches(char::is_numeric))
                    })
                    .take(5)
                    .collect();
                let suggestion = if close.is_empty() {
                    "`threadlings list` shows every exercise".to_owned()
                } else {
                    format!("did you mean {}?", close.join(", "))
                };
                Error::Usage(format!("no exercise named `{name}`: {suggestion}"))
            })
    }

    /// The file of `exercise` on `side`.
    pub fn path(&self, exercise: &Exercise, side: Side) -> PathBuf {
        self.root.join(side.dir()).join(exercise.relative_path())
    }

    /// The manifest of the package that holds `side`'s bin targets.
    pub fn manifest(&self, side: Side) -> PathBuf {
        self.root.join(side.dir()).join("Cargo.toml")
    }

    /// The trybuild harness package that grades compile-fail lessons.
    pub fn ui_harness_dir(&self) -> PathBuf {
        self.root.join(UI_HARNESS_DIR)
    }

    /// The lesson-owned snippets of a compile-fail lesson: `pass/` and `fail/`.
    pub fn ui_cases_dir(&self, exercise: &Exercise) -> PathBuf {
        self.ui_harness_dir().join("cases").join(&exercise.name)
    }

    /// Where the grader builds: always the checkout's own `target/`. Cargo names a
    /// workspace's artifacts by paths relative to the workspace and trusts them by
    /// timestamp, so a target directory shared with another checkout of the course (a
    /// global `CARGO_TARGET_DIR`) could hand the grader a binary built from someone else's
    /// file.
    pub fn target_dir(&self) -> PathBuf {
        self.root.join("target")
    }

    /// Where the grader keeps its state, backups and scratch files.
    pub fn state_dir(&self) -> PathBuf {
        self.root.join(".threadlings")
    }
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
        if bin
            .required_features
            .iter()
            .any(|feature| feature == VARIANTS_FEATURE)
        {
            continue; // A wrong or alternative answer: `dev check` checks those.
        }
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
        ] {
            let err = parse(dir.path(), &ONE.replace(from, to))
                .unwrap_err()
                .to_string();
            assert!(err.contains(expected), "{from} -> {to}: {err}");
        }
    }
}
