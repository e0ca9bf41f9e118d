//! The command line: clap's raw [`Args`], validated into a [`Config`] the drivers run.
//!
//! Validation resolves everything that can be wrong before any work starts: the course
//! root, `info.toml`, the exercise names, colour. A bad argument is a usage error (exit 2)
//! with a sentence that says what to do.
//!
//! Must not: grade, print (a usage error is an `Error` for `main` to report) or touch the
//! course's files beyond reading `info.toml`.

use std::env;
use std::path::PathBuf;

use clap::builder::PossibleValuesParser;
use clap::{Parser, Subcommand};

use crate::classroom::assignment::{self, Selection};
use crate::classroom::grade::{Options as GradeOptions, SandboxMode};
use crate::classroom::roster::{self, Partition, Student};
use crate::course::Course;
use crate::error::Error;
use crate::gradebook::Assigned;
use crate::report::class::ClassFormat;
use crate::report::{self, ColorChoice, Format};
use crate::watch::Detection;

const EXIT_CODES: &str = "\
Exit codes:
  0  every graded exercise passed (or the command succeeded)
  1  an exercise did not pass, or `dev check` found a problem
  2  usage error, or a broken course description (info.toml, a missing file)
  3  the grader could not grade (cargo or git would not run, a file could not be written)

Start with `cargo threadlings`: the watch screen shows the first exercise that does not
pass yet, grades it every time you save, and moves on when it passes.";

const WATCH_KEYS: &str = "\
Keys:
  n  next exercise (once this one passes)     r  grade again
  h  the next hint                            s  the reference solution (once yours passes)
  l  list every exercise, jump to one         x  reset the file (asks first, keeps a backup)
  c  check every exercise                     q  quit (also Ctrl-C); a check is cancelled
  ↑/↓ j/k PgUp/PgDn  scroll a long verdict       and nothing of it is recorded

Without a terminal it prints each verdict with its errors, moves on by itself after a pass,
and reads the same letters from stdin, one per line (h prints a hint, l the list, s the
solution); it ends after the running check when stdin ends.";

/// A course in Rust concurrency, and its grader.
#[derive(Debug, Parser)]
#[command(name = "threadlings", version, after_help = EXIT_CODES, max_term_width = 100)]
pub struct Args {
    /// The course checkout (default: the nearest folder above the current one that holds
    /// an info.toml).
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        env = "THREADLINGS_COURSE_DIR",
        visible_alias = "course"
    )]
    pub course_dir: Option<PathBuf>,

    /// When to colour the output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Show full backtraces of panics in failing tests.
    #[arg(long, global = true)]
    pub backtrace: bool,

    /// How to print results: human text, JSON (as `--json`), or one line per verdict.
    /// (`grade` writes class reports instead, chosen with its own `--format`.)
    #[arg(
        long = "output-format",
        global = true,
        value_name = "FORMAT",
        default_value = report::FORMATS[0].name,
        value_parser = PossibleValuesParser::new(report::FORMATS.iter().map(|format| format.name))
    )]
    pub output_format: String,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The course's main screen (the default): shows the first unfinished exercise,
    /// grades it on every save, explains the failure and moves on when it passes.
    #[command(after_help = WATCH_KEYS)]
    Watch {
        /// Notice saves by looking at the file a few times a second. Use it where saves
        /// go unnoticed: WSL's /mnt/* folders, network drives, some containers.
        #[arg(long, conflicts_with = "manual")]
        poll: bool,
        /// Grade only when you press r.
        #[arg(long)]
        manual: bool,
        /// Print events for editors and scripts instead of a screen: one JSON object per
        /// line (welcome, next, started, verdict, output, hint, list, solution, checked,
        /// notice, done), no terminal control codes; it ends when stdin does.
        #[arg(long, value_name = "FORMAT")]
        events: Option<EventsFormat>,
    },
    /// List every exercise in course order, with its status.
    List {
        /// Print JSON: an array of {name, path, topic, mode, done}.
        #[arg(long)]
        json: bool,
    },
    /// Your progress, per topic.
    Progress {
        /// Print JSON: {done, total, topics: [{topic, dir, done, total, exercises}]}.
        #[arg(long, conflicts_with = "markdown")]
        json: bool,
        /// Print a Markdown table, to paste into your own README.
        #[arg(long)]
        markdown: bool,
    },
    /// Grade one exercise.
    Run {
        /// The exercise's name (`threadlings list` shows them).
        name: String,
        /// Print JSON: {exercise, verdict, tests, diagnosis, duration_ms, ...}.
        #[arg(long)]
        json: bool,
        /// Grade the reference solution instead of your file.
        #[arg(long)]
        solution: bool,
    },
    /// Grade every exercise in course order (one build, parallel test runs).
    Verify {
        /// Only these exercises (default: all).
        names: Vec<String>,
        /// Grade the reference solutions instead of your files.
        #[arg(long)]
        solutions: bool,
        /// Print JSON: an array of `run --json` objects.
        #[arg(long)]
        json: bool,
    },
    /// Show the next hint of an exercise (each call reveals one more).
    Hint {
        name: String,
        /// Show every hint at once.
        #[arg(long)]
        all: bool,
    },
    /// Restore an exercise's original file; yours is kept in .threadlings/backups/.
    Reset {
        name: String,
        /// Do not ask for confirmation.
        #[arg(long, short)]
        yes: bool,
        /// The git revision to restore from.
        #[arg(long, value_name = "REV", default_value = "HEAD")]
        from: String,
    },
    /// Print the reference solution of an exercise.
    Solution { name: String },
    /// What this machine enforces on learner code (namespaces, read-only checkout,
    /// scratch space) and which compiler the course uses.
    Doctor {
        /// Print JSON: {course, rustc, containment: {...}}.
        #[arg(long)]
        json: bool,
    },
    /// Grade a class: each student's checkout of the course, against the course's own
    /// tests (the course is the checkout the grader runs in, or --course DIR).
    #[command(after_help = GRADE_HELP)]
    Grade {
        /// A student's checkout of the course, or a folder of them (one subfolder per
        /// student, named after them). `.` inside a student's repository is the CI form.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Report formats, comma-separated: json, junit, gradescope, github-classroom,
        /// csv, html.
        #[arg(
            long,
            value_enum,
            value_delimiter = ',',
            default_value = "json,csv,html"
        )]
        format: Vec<ClassFormat>,
        /// The folder the reports are written to.
        #[arg(long, value_name = "DIR", default_value = "grades")]
        out: PathBuf,
        /// Grade what this assignment file lists (topics, exercises, points).
        #[arg(long, value_name = "FILE", conflicts_with_all = ["topic", "exercise"])]
        assignment: Option<PathBuf>,
        /// Grade the exercises of this topic (repeatable; default: the whole course).
        #[arg(long, value_name = "TOPIC")]
        topic: Vec<String>,
        /// Grade this exercise (repeatable; default: the whole course).
        #[arg(long, value_name = "NAME")]
        exercise: Vec<String>,
        /// How much confinement of student code to insist on.
        #[arg(long, value_enum, default_value_t = SandboxMode::BestEffort)]
        sandbox: SandboxMode,
        /// Grade the K-th of N shares of the class (for a CI matrix; combine the shares'
        /// grades.json with `merge-reports`).
        #[arg(long, value_name = "K/N")]
        partition: Option<Partition>,
        /// Students graded at once (default: the number of cores).
        #[arg(long, value_name = "N")]
        jobs: Option<usize>,
        /// Grade everything again, ignoring the grades kept of unchanged files.
        #[arg(long)]
        fresh: bool,
    },
    /// Combine the grades.json of a class graded in partitions (`grade --partition K/N`)
    /// into one set of reports.
    MergeReports {
        /// Each partition's grades.json, or the folder holding it.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Report formats, comma-separated (as for `grade`).
        #[arg(
            long,
            value_enum,
            value_delimiter = ',',
            default_value = "json,csv,html"
        )]
        format: Vec<ClassFormat>,
        /// The folder the reports are written to.
        #[arg(long, value_name = "DIR", default_value = "grades")]
        out: PathBuf,
    },
    /// Tools for the course's authors.
    #[command(subcommand)]
    Dev(DevCommand),
}

const GRADE_HELP: &str = "\
Each exercise is graded with the course's pristine tests put back into the student's file,
so edited or deleted tests do not count (they are flagged); code that uses what no exercise
needs (process exit, files, environment, sockets, unsafe outside the lessons that teach it)
is graded `tampered`, with its line. Nothing in the students' folders is written.

Reports (in --out): grades.json (everything; what merge-reports reads), junit.xml,
gradescope/<student>.json, github-classroom/<student>.json (a single results.json /
github-classroom.json for a class of one), grades.csv, grades.html.

Grades of unchanged files are kept (target/threadlings/class/cache): regrading a class after
one resubmission grades that student. --fresh grades everything again.

Examples:
  threadlings grade ~/class-repos/ --format html,csv
  threadlings grade . --course ../template --format github-classroom --out grades
  threadlings grade repos/ --partition 2/4 --out part2 && threadlings merge-reports part*/";

#[derive(Debug, Subcommand)]
pub enum DevCommand {
    /// Check the course: every stub fails for its declared reason, every solution passes,
    /// every wrong answer is rejected and every alternative passes, and info.toml,
    /// Cargo.toml and the folders agree.
    Check {
        /// Grade only these exercises, or the exercises of these topic folders (e.g.
        /// `threads2`, `01_threads`); the course's layout is checked whole either way.
        #[arg(value_name = "EXERCISE|FOLDER")]
        only: Vec<String>,
        /// Also run every solution's tests N times and report any flake.
        #[arg(long, value_name = "N", default_value_t = 0)]
        stress: usize,
        /// Check the stubs as committed (git HEAD), not the files in exercises/: a stub
        /// changed since the last commit (a learner's work) is skipped and named. What
        /// `cargo test` runs, so that it passes on a learner's checkout.
        #[arg(long)]
        committed_stubs: bool,
        /// Print one JSON document at the end: every problem with its `kind`, its
        /// `exercise` and its `message`, and the counts of what was checked.
        #[arg(long)]
        json: bool,
    },
    /// Rewrite the expected compiler errors of a compile-fail lesson from its solution.
    Bless { name: String },
}

/// Formats of `watch --events`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum EventsFormat {
    Json,
}

/// A validated command.
#[derive(Debug)]
pub enum Action {
    Watch {
        detection: Detection,
        events_json: bool,
    },
    List,
    Progress {
        markdown: bool,
    },
    Run {
        name: String,
        solution: bool,
    },
    Verify {
        names: Vec<String>,
        solutions: bool,
    },
    Hint {
        name: String,
        all: bool,
    },
    Reset {
        name: String,
        yes: bool,
        from: String,
    },
    Solution {
        name: String,
    },
    Doctor,
    DevCheck {
        /// Exercise names to grade; all when empty.
        only: Vec<String>,
        stress: usize,
        committed_stubs: bool,
    },
    DevBless {
        name: String,
    },
    Grade {
        students: Vec<Student>,
        assignment: Vec<Assigned>,
        formats: Vec<ClassFormat>,
        out: PathBuf,
        options: GradeOptions,
    },
    MergeReports {
        paths: Vec<PathBuf>,
        formats: Vec<ClassFormat>,
        out: PathBuf,
    },
}

/// Everything a driver needs, checked.
#[derive(Debug)]
pub struct Config {
    pub course: Course,
    pub action: Action,
    pub format: Format,
    pub color: bool,
    pub backtrace: bool,
}

impl Args {
    /// Resolves the course and checks the arguments against it.
    pub fn validate(self) -> Result<Config, Error> {
        let color = self.color.apply();
        let start = match self.course_dir {
            Some(dir) => dir,
            None => env::current_dir().map_err(Error::io("read the current folder"))?,
        };
        let root = Course::find_root(&start)?;
        crate::invocation::detect(&root);
        let course = Course::load(&root)?;
        let mut format = Format::named(&self.output_format).unwrap_or_else(Format::human);
        let action = match self.command {
            None => Action::Watch {
                detection: Detection::Events,
                events_json: false,
            },
            Some(Command::Watch {
                poll,
                manual,
                events,
            }) => Action::Watch {
                detection: if manual {
                    Detection::Manual
                } else if poll {
                    Detection::Poll
                } else {
                    Detection::Events
                },
                events_json: events.is_some(),
            },
            Some(Command::List { json }) => {
                format = json_or(json, format);
                Action::List
            }
            Some(Command::Progress { json, markdown }) => {
                format = json_or(json, format);
                Action::Progress { markdown }
            }
            Some(Command::Run {
                name,
                json,
                solution,
            }) => {
                format = json_or(json, format);
                let name = canonical(&course, &name)?;
                Action::Run { name, solution }
            }
            Some(Command::Verify {
                names,
                solutions,
                json,
            }) => {
                format = json_or(json, format);
                // In course order, each once, whatever order they were typed in.
                let mut indices = names
                    .iter()
                    .map(|name| {
                        let name = canonical(&course, name)?;
                        Ok(course
                            .exercises
                            .iter()
                            .position(|exercise| exercise.name == name)
                            .unwrap_or(0))
                    })
                    .collect::<Result<Vec<usize>, Error>>()?;
                indices.sort_unstable();
                indices.dedup();
                let names = indices
                    .into_iter()
                    .map(|index| course.exercises[index].name.clone())
                    .collect();
                Action::Verify { names, solutions }
            }
            Some(Command::Hint { name, all }) => Action::Hint {
                name: canonical(&course, &name)?,
                all,
            },
            Some(Command::Reset { name, yes, from }) => Action::Reset {
                name: canonical(&course, &name)?,
                yes,
                from,
            },
            Some(Command::Solution { name }) => Action::Solution {
                name: canonical(&course, &name)?,
            },
            Some(Command::Doctor { json }) => {
                format = json_or(json, format);
                Action::Doctor
            }
            Some(Command::Dev(DevCommand::Check {
                only,
                stress,
                committed_stubs,
                json,
            })) => {
                format = json_or(json, format);
                Action::DevCheck {
                    only: selected(&course, &only)?,
                    stress,
                    committed_stubs,
                }
            }
            Some(Command::Dev(DevCommand::Bless { name })) => {
                let name = canonical(&course, &name)?;
                let exercise = course.exercise(&name)?;
                if exercise.mode != crate::course::Mode::CompileFail {
                    return Err(Error::Usage(format!(
                        "`{name}` is not a compile-fail lesson; only those have expected \
                         compiler errors to bless"
                    )));
                }
                Action::DevBless { name }
            }
            Some(Command::Grade {
                paths,
                format,
                out,
                assignment: assignment_file,
                topic,
                exercise,
                sandbox,
                partition,
                jobs,
                fresh,
            }) => {
                let assignment = match assignment_file {
                    Some(file) => assignment::read(&course, &file)?,
                    None => assignment::select(
                        &course,
                        &Selection {
                            topics: topic,
                            exercises: exercise,
                        },
                    )?,
                };
                let mut students = roster::discover(&paths)?;
                if let Some(partition) = partition {
                    students = partition.select(students);
                }
                Action::Grade {
                    students,
                    assignment,
                    formats: distinct(format),
                    out,
                    options: GradeOptions {
                        jobs: jobs
                            .unwrap_or_else(|| {
                                std::thread::available_parallelism().map_or(1, usize::from)
                            })
                            .max(1),
                        fresh,
                        sandbox,
                    },
                }
            }
            Some(Command::MergeReports { paths, format, out }) => Action::MergeReports {
                paths,
                formats: distinct(format),
                out,
            },
        };
        Ok(Config {
            course,
            action,
            format,
            color,
            backtrace: self.backtrace,
        })
    }
}

/// The exercise's own name for what the learner typed (any case, or its file's path).
fn canonical(course: &Course, name: &str) -> Result<String, Error> {
    Ok(course.exercise(name)?.name.clone())
}

/// The exercises `dev check` grades: each of `only` is an exercise or a topic folder
/// (`01_threads`, `exercises/01_threads/`). None means all of them.
fn selected(course: &Course, only: &[String]) -> Result<Vec<String>, Error> {
    let mut names: Vec<String> = Vec::new();
    for wanted in only {
        let folder = wanted
            .trim()
            .trim_end_matches(['/', '\\'])
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or_default();
        let in_folder: Vec<&str> = course
            .exercises
            .iter()
            .filter(|exercise| exercise.dir == folder)
            .map(|exercise| exercise.name.as_str())
            .collect();
        let found = if in_folder.is_empty() {
            vec![canonical(course, wanted)?]
        } else {
            in_folder.into_iter().map(str::to_owned).collect()
        };
        for name in found {
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    Ok(names)
}

/// Each format once, in a fixed order.
fn distinct(mut formats: Vec<ClassFormat>) -> Vec<ClassFormat> {
    formats.sort_unstable();
    formats.dedup();
    formats
}

/// `--json`, the older spelling of `--format json`.
fn json_or(json: bool, format: Format) -> Format {
    if json { Format::json() } else { format }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    /// clap's own consistency checks (unique names and ids across global and subcommand
    /// options, valid defaults), which otherwise run only when a command line is parsed.
    #[test]
    fn the_command_line_is_consistent() {
        Args::command().debug_assert();
    }
}
