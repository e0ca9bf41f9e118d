//! `threadlings grade`: every submission of a class graded against one course, into a
//! [`Gradebook`]. Decides what to grade and in what order; the grading itself is the
//! engine's, on a scratch checkout per submission (`scratch.rs`), under the classroom
//! policy (`forbid.rs`) and the engine's containment.
//!
//! Students are graded in parallel slots, one scratch checkout and build folder each (one
//! slot builds while another runs tests); a slot keeps both from student to student and
//! from run to run, so its dependencies build once. Each exercise's grade is
//! cached under a key made of everything it depends on (the student's file, the course's
//! tests and settings, this grader), so regrading a class after one resubmission grades
//! that one student.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::build::Cargo;
use crate::classroom::roster::Student;
use crate::classroom::scratch::{self, Placed};
use crate::course::{Course, EXERCISES_DIR, Exercise, Side};
use crate::engine::{Engine, Graded, ReferenceSource};
use crate::error::Error;
use crate::finding::Finding;
use crate::forbid;
use crate::gradebook::{
    Assigned, ExerciseGrade, Gradebook, Progress, StudentGrades, StudentOutcome, TestGrade,
    TestStatus,
};
use crate::submission::Submission;
use crate::verdict::{TestOutcome, Verdict, VerdictKind};

/// How much of the sandbox `grade` insists on (`--sandbox`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SandboxMode {
    /// Refuse to grade unless student code runs under Landlock and in its own namespaces.
    Require,
    /// Use what this machine offers, and say in the report what that was.
    BestEffort,
    /// Process groups and limits only (for machines where namespaces are forbidden).
    Off,
}

/// How to grade a class.
#[derive(Clone, Debug)]
pub struct Options {
    /// Students graded at once.
    pub jobs: usize,
    /// Ignore the cache of earlier grades.
    pub fresh: bool,
    pub sandbox: SandboxMode,
}

/// The lines the report shows about the sandbox, or why `require` cannot be met.
pub fn sandbox_status(mode: SandboxMode) -> Result<Vec<String>, Error> {
    if mode == SandboxMode::Off {
        crate::run::switch_off_containment();
    }
    let containment = crate::run::containment();
    let enforced = containment.read_only_checkout && containment.pid_namespace;
    if mode == SandboxMode::Require && !enforced {
        return Err(Error::Usage(format!(
            "--sandbox require: this machine cannot confine student code (Landlock: {}, PID \
             namespace: {}){}; grade on a Linux kernel with Landlock (5.13 or later) and \
             unprivileged user namespaces, or pass --sandbox best-effort",
            yes_no(containment.read_only_checkout),
            yes_no(containment.pid_namespace),
            if containment.switched_off {
                ", and THREADLINGS_CONTAINMENT=off switches it off"
            } else {
                ""
            }
        )));
    }
    let mut lines = vec![
        format!(
            "student tests: {}",
            if mode == SandboxMode::Off || !enforced {
                "process group, time and resource limits"
            } else {
                if containment.no_network {
                    "own PID, mount and user namespaces; Landlock (reads only the system \
                     and the test itself, writes only to a scratch tmpfs, no TCP, no signals \
                     out); time and resource limits"
                } else {
                    "own PID, mount and user namespaces; Landlock (reads only the system \
                     and the test itself, writes only to a scratch tmpfs); time and \
                     resource limits"
                }
            }
        ),
        format!(
            "student builds: compiled with the classroom policy (no process exit or \
             spawning, files, environment, sockets, include macros, or unsafe outside the \
             lessons that teach it), under CPU, memory and time limits{}",
            if mode != SandboxMode::Off && containment.read_only_checkout {
                "; builds and compile-fail lessons' cases confined with Landlock (read the \
                 system, the toolchain and the course's testkit; write only their own slot; \
                 no TCP)"
            } else {
                ""
            }
        ),
        "reference tests: the course's, put back into every student file".to_owned(),
    ];
    if mode == SandboxMode::Off {
        lines.push("sandbox: off (--sandbox off)".to_owned());
    }
    Ok(lines)
}

fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

/// Grades `students` on `assignment`; `progress` hears of each student as they are
/// done. Student failures, and students that cannot be graded, are data in the
/// gradebook; an error means the grader itself could not go on.
pub fn grade(
    course: &Course,
    students: &[Student],
    assignment: &[Assigned],
    options: &Options,
    cargo: &Cargo,
    progress: &(dyn Fn(Progress<'_>) + Sync),
) -> Result<Gradebook, Error> {
    let started = Instant::now();
    let sandbox = sandbox_status(options.sandbox)?;
    let exercises: Vec<&Exercise> = assignment
        .iter()
        .map(|assigned| course.exercise(&assigned.exercise))
        .collect::<Result<_, _>>()?;
    // The instructor's checkout of the course keeps the class's cache and policy.
    let work = Submission::checkout(course)
        .target_dir()
        .join("threadlings")
        .join("class");
    let policy = write_policy(course, &work)?;
    let policy_dir = policy.conf_dir.clone();
    let mut cargo = cargo.clone();
    cargo.policy = Some(Arc::new(policy));
    let cache = Cache::new(work.join("cache"), options.fresh);
    let context = Context {
        course,
        assignment,
        exercises: &exercises,
        cargo: &cargo,
        cache: &cache,
        course_fingerprint: course_fingerprint(course, options.sandbox),
        policy_dir: &policy_dir,
        sandbox: options.sandbox,
    };

    // The slots' scratch checkouts live apart from the build folder, so that no build can
    // read another slot's student (see `confinement`); they stay from run to run, so an
    // unchanged file is not compiled again.
    let slots_dir = course.root.join(".threadlings").join("class");
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let results: Mutex<BTreeMap<usize, Result<StudentGrades, Error>>> = Mutex::default();
    let slots = options.jobs.clamp(1, students.len().max(1));
    thread::scope(|scope| {
        for slot in 0..slots {
            let (context, next, done, results) = (&context, &next, &done, &results);
            let scratch = slots_dir.join(format!("slot{slot}"));
            scope.spawn(move || {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(submission) = students.get(index) else {
                        break;
                    };
                    let graded = context.grade_student(submission, &scratch);
                    if let Ok((student, cached)) = &graded {
                        progress(Progress::Graded {
                            student,
                            done: done.fetch_add(1, Ordering::Relaxed) + 1,
                            total: students.len(),
                            cached: *cached,
                        });
                    }
                    let failed = graded.is_err();
                    results
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .insert(index, graded.map(|(student, _)| student));
                    if failed {
                        // The grader cannot go on; the other slots stop at their next student.
                        next.store(students.len(), Ordering::Relaxed);
                        break;
                    }
                }
            });
        }
    });
    let students = results
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .into_values()
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Gradebook {
        assignment: assignment.to_vec(),
        students,
        sandbox,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The policy's configuration, written where the rustc wrapper reads it.
fn write_policy(course: &Course, work: &Path) -> Result<forbid::Policy, Error> {
    let conf_dir = work.join("policy");
    fs::create_dir_all(&conf_dir).map_err(Error::io(format!("create {}", conf_dir.display())))?;
    fs::write(conf_dir.join("clippy.toml"), forbid::clippy_toml())
        .map_err(Error::io(format!("write {}", conf_dir.display())))?;
    let manifest = course.manifest(Side::Exercise);
    let package = fs::read_to_string(&manifest)
        .ok()
        .and_then(|text| text.parse::<toml::Table>().ok())
        .and_then(|table| {
            table
                .get("package")?
                .get("name")?
                .as_str()
                .map(str::to_owned)
        })
        .ok_or_else(|| Error::Tool(format!("{}: no [package] name", manifest.display())))?;
    Ok(forbid::Policy {
        package,
        conf_dir,
        unsafe_allowed: lessons_with_unsafe(course),
    })
}

/// The lessons exempt from `unsafe_code`: their solution uses `unsafe`, or their stub does
/// (the false promise a lesson asks to take back: a student who leaves it in gets the
/// lesson's own verdict, not a policy finding).
fn lessons_with_unsafe(course: &Course) -> Vec<String> {
    course
        .exercises
        .iter()
        .filter(|exercise| {
            [Side::Solution, Side::Exercise].into_iter().any(|side| {
                fs::read_to_string(course.path(exercise, side))
                    .is_ok_and(|source| forbid::teaches_unsafe(&source))
            })
        })
        .map(|exercise| exercise.name.clone())
        .collect()
}

/// What every slot shares.
struct Context<'a> {
    course: &'a Course,
    /// What every grade depends on besides its two files, hashed once per run.
    course_fingerprint: String,
    assignment: &'a [Assigned],
    exercises: &'a [&'a Exercise],
    cargo: &'a Cargo,
    cache: &'a Cache,
    /// Where the classroom policy's configuration is.
    policy_dir: &'a Path,
    sandbox: SandboxMode,
}

impl Context<'_> {
    /// One student's grades, and whether they all came from the cache.
    fn grade_student(
        &self,
        submission: &Student,
        scratch: &Path,
    ) -> Result<(StudentGrades, bool), Error> {
        let started = Instant::now();
        let graded = |outcome: StudentOutcome| StudentGrades {
            student: submission.student.clone(),
            outcome,
            seconds: started.elapsed().as_secs_f64(),
        };
        if let Some(reason) = &submission.problem {
            return Ok((
                graded(StudentOutcome::Error {
                    reason: reason.clone(),
                }),
                false,
            ));
        }
        let keys: Vec<String> = self
            .exercises
            .iter()
            .map(|exercise| self.cache_key(submission, exercise))
            .collect();
        let cached: Vec<Option<ExerciseGrade>> =
            keys.iter().map(|key| self.cache.get(key)).collect();
        if cached.iter().all(Option::is_some) {
            let exercises = cached.into_iter().flatten().collect();
            return Ok((graded(StudentOutcome::Graded { exercises }), true));
        }

        let placed = scratch::prepare(self.course, &submission.path, self.exercises, scratch)?;
        let mut cargo = self.cargo.clone();
        if self.sandbox != SandboxMode::Off {
            cargo.confine = Some(Arc::new(confinement(self.course, scratch, self.policy_dir)));
        }
        // The scratch checkout is the submission; the course, with its reference tests,
        // stays the instructor's.
        let mut engine = Engine::new(self.course, cargo, false);
        engine.submission = Submission::at(scratch.to_path_buf());
        engine.confine_reads = self.sandbox != SandboxMode::Off;
        // The instructor's tree as it is: trusted, and out of the students' reach.
        engine.reference = ReferenceSource::WorkingTree;
        engine.jobs = 1;
        // Only what the cache does not have.
        let missing: Vec<&Exercise> = self
            .exercises
            .iter()
            .zip(&cached)
            .filter(|(_, cached)| cached.is_none())
            .map(|(exercise, _)| *exercise)
            .collect();
        let mut fresh = engine
            .grade_all(&missing, Side::Exercise, &|_| {})?
            .into_iter();
        let mut exercises = Vec::new();
        for (((assigned, cached), placed), key) in
            self.assignment.iter().zip(cached).zip(&placed).zip(&keys)
        {
            let grade = match cached {
                Some(grade) => grade,
                None => {
                    let graded = fresh
                        .next()
                        .ok_or_else(|| Error::Tool("the engine lost a grade".to_owned()))?;
                    let exercise = self.course.exercise(&assigned.exercise)?;
                    let grade = exercise_grade(assigned, exercise, &graded, placed);
                    self.cache.put(key, &grade);
                    grade
                }
            };
            exercises.push(grade);
        }
        Ok((graded(StudentOutcome::Graded { exercises }), false))
    }

    /// Everything one exercise's grade depends on: this grader, the course's settings,
    /// its stub (graded for a missing file) and its solution (whose tests are the
    /// reference, and whose `unsafe` exempts the lesson), the student's file.
    fn cache_key(&self, submission: &Student, exercise: &Exercise) -> String {
        let mut hash = Sha256::new();
        hash.update(&self.course_fingerprint);
        for path in [
            self.course.path(exercise, Side::Exercise),
            self.course.path(exercise, Side::Solution),
            submission
                .path
                .join(EXERCISES_DIR)
                .join(exercise.relative_path()),
        ] {
            hash_file(&mut hash, &path);
        }
        hex(&hash.finalize())
    }
}

/// Everything of the course and the grader that any grade depends on: this grader, the
/// sandbox mode, `info.toml`, `Cargo.lock`, and the testkit's and compile-fail harness's
/// files (a changed testkit or ui case changes verdicts too).
fn course_fingerprint(course: &Course, sandbox: SandboxMode) -> String {
    let mut hash = Sha256::new();
    hash.update(env!("CARGO_PKG_VERSION"));
    hash.update(grader_identity());
    hash.update(format!("{sandbox:?}"));
    for file in ["info.toml", "Cargo.lock"] {
        hash_file(&mut hash, &course.root.join(file));
    }
    for dir in ["grader/testkit", crate::course::UI_HARNESS_DIR] {
        let mut files = Vec::new();
        list_files(&course.root.join(dir), &mut files);
        files.sort();
        for file in files {
            hash_file(&mut hash, &file);
        }
    }
    hex(&hash.finalize())
}

/// The files beneath `dir`, build folders aside.
fn list_files(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            if entry.file_name() != "target" {
                list_files(&path, files);
            }
        } else {
            files.push(path);
        }
    }
}

fn hash_file(hash: &mut Sha256, path: &Path) {
    hash.update(path.display().to_string());
    hash.update(fs::read(path).unwrap_or_else(|_| b"<missing>".to_vec()));
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Where the build of one slot's student code may read and write (Landlock, where the
/// kernel has it): the system, the toolchain and cargo's home, the grader (it is the
/// compiler's wrapper) and the course's testkit to read; its own scratch checkout (with
/// its build folder) and cargo's home to write. Not the students' folders, not the other
/// slots, not the rest of the instructor's files: a student's `include!` of a neighbour's
/// file cannot read it, even to quote it in an error.
fn confinement(course: &Course, scratch: &Path, policy_dir: &Path) -> crate::run::Confinement {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let under_home = |var: &str, default: &str| {
        std::env::var_os(var)
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|home| home.join(default)))
    };
    let mut readable: Vec<PathBuf> = crate::run::SYSTEM_DIRS.iter().map(PathBuf::from).collect();
    readable.extend(under_home("RUSTUP_HOME", ".rustup"));
    readable.extend(std::env::current_exe().ok());
    readable.push(policy_dir.to_path_buf());
    readable.push(course.root.join("grader").join("testkit"));
    // Path dependencies of the course's manifests that the scratch checkout points back at.
    for manifest in [
        course.manifest(Side::Exercise),
        course.root.join("Cargo.toml"),
    ] {
        let dir = manifest.parent().unwrap_or(&course.root).to_path_buf();
        let table = fs::read_to_string(&manifest)
            .ok()
            .and_then(|text| text.parse::<toml::Table>().ok());
        let deps = table.iter().flat_map(|table| {
            ["dependencies", "dev-dependencies"]
                .into_iter()
                .filter_map(|key| table.get(key)?.as_table())
                .chain(
                    table
                        .get("workspace")
                        .and_then(|workspace| workspace.get("dependencies")?.as_table()),
                )
                .flat_map(|deps| deps.values())
                .filter_map(|spec| spec.get("path")?.as_str())
                .map(|path| dir.join(path))
                .collect::<Vec<_>>()
        });
        for dep in deps {
            // Cargo looks for the dependency's workspace in the manifests above it.
            readable.extend(
                dep.ancestors()
                    .skip(1)
                    .map(|dir| dir.join("Cargo.toml"))
                    .filter(|manifest| manifest.is_file()),
            );
            readable.push(dep);
        }
    }
    // Cargo reads the configuration files of every folder above where it runs.
    for dir in scratch.ancestors() {
        for name in ["config.toml", "config"] {
            let config = dir.join(".cargo").join(name);
            if config.is_file() {
                readable.push(config);
            }
        }
    }
    let mut writable = vec![scratch.to_path_buf(), PathBuf::from("/dev/null")];
    writable.extend(under_home("CARGO_HOME", ".cargo"));
    crate::run::Confinement {
        readable,
        writable,
        tmpdir: scratch.join("tmp"),
    }
}

/// This grader's build, as far as a cache needs to tell: its executable's size and time.
fn grader_identity() -> String {
    std::env::current_exe()
        .and_then(fs::metadata)
        .map(|meta| format!("{}:{:?}", meta.len(), meta.modified().ok()))
        .unwrap_or_default()
}

/// The gradebook's view of one graded exercise.
fn exercise_grade(
    assigned: &Assigned,
    exercise: &Exercise,
    graded: &Graded,
    placed: &Placed,
) -> ExerciseGrade {
    let verdict = graded.verdict().kind();
    let mut flags: Vec<Finding> = match placed {
        Placed::File { flags } => flags.clone(),
        Placed::Missing | Placed::Unparsed { .. } => Vec::new(),
    };
    if let Verdict::Tampered { findings } = graded.verdict() {
        flags.extend(findings.iter().cloned());
    }
    let message = match placed {
        Placed::Missing => format!(
            "{} is missing from the submission: graded as the unchanged exercise",
            assigned.file
        ),
        Placed::Unparsed { why } if verdict != VerdictKind::Pass => why.clone(),
        _ if verdict == VerdictKind::Pass => String::new(),
        _ => crate::report::human::judgement_line(&graded.judgement),
    };
    let output = if verdict == VerdictKind::Pass {
        String::new()
    } else {
        let text = crate::report::human::graded(graded, exercise, &assigned.file);
        console::strip_ansi_codes(&text).into_owned()
    };
    ExerciseGrade {
        exercise: assigned.exercise.clone(),
        verdict,
        score: if verdict == VerdictKind::Pass {
            assigned.points
        } else {
            0
        },
        max_score: assigned.points,
        message,
        output,
        tests: graded
            .judgement
            .tests
            .iter()
            .map(|test| TestGrade {
                name: test.name.clone(),
                status: match test.outcome {
                    TestOutcome::Passed => TestStatus::Passed,
                    TestOutcome::Failed => TestStatus::Failed,
                    TestOutcome::Ignored | TestOutcome::Interrupted | TestOutcome::NotRun => {
                        TestStatus::NotRun
                    }
                },
                seconds: test.duration.as_ref().map(Duration::as_secs_f64),
            })
            .collect(),
        flags,
        seconds: graded.duration.as_secs_f64(),
    }
}

/// Grades kept by key, as JSON files: a regrade costs only what changed.
struct Cache {
    dir: PathBuf,
    /// `--fresh`: read nothing, write everything anew.
    fresh: bool,
}

impl Cache {
    fn new(dir: PathBuf, fresh: bool) -> Cache {
        Cache { dir, fresh }
    }

    fn get(&self, key: &str) -> Option<ExerciseGrade> {
        if self.fresh {
            return None;
        }
        let text = fs::read_to_string(self.dir.join(format!("{key}.json"))).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// Only a cache: a grade that cannot be kept is graded again next time.
    fn put(&self, key: &str, grade: &ExerciseGrade) {
        let Ok(text) = serde_json::to_string(grade) else {
            return;
        };
        if fs::create_dir_all(&self.dir).is_err() {
            return;
        }
        let Ok(mut temp) = tempfile::NamedTempFile::new_in(&self.dir) else {
            return;
        };
        if std::io::Write::write_all(&mut temp, text.as_bytes()).is_ok() {
            let _ = temp.persist(self.dir.join(format!("{key}.json")));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lesson_whose_stub_or_solution_uses_unsafe_may_use_it() {
        let root = tempfile::tempdir().unwrap();
        let mut info = String::from("format_version = 1\n");
        for (name, stub, solution) in [
            ("promise", "unsafe impl Sync for X {}\n", "impl X {}\n"),
            ("teaches", "struct X;\n", "unsafe impl Send for X {}\n"),
            ("safe", "// unsafe, in a comment\n", "struct X;\n"),
        ] {
            info.push_str(&format!(
                "\n[[exercises]]\nname = \"{name}\"\ndir = \"d\"\ntopic = \"t\"\n\
                 mode = \"compile_fail\"\nstub = \"compile_error\"\nhints = [\"a\", \"b\"]\n"
            ));
            for (side, text) in [("exercises", stub), ("solutions", solution)] {
                let path = root.path().join(side).join("d").join(format!("{name}.rs"));
                fs::create_dir_all(path.parent().unwrap()).unwrap();
                fs::write(path, text).unwrap();
            }
        }
        let info_path = root.path().join("info.toml");
        let course = Course::parse(root.path(), &info_path, &info).unwrap();
        assert_eq!(lessons_with_unsafe(&course), ["promise", "teaches"]);
    }
}
