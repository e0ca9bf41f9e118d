//! What a grading run grades: the whole course, or a selection of it, with the points
//! each exercise is worth. Points come from info.toml (`points`, default 1) unless an
//! assignment file says otherwise:
//!
//! ```toml
//! # week3.toml
//! topics = ["message passing"]   # every exercise of these topics (info.toml's `topic`)
//! exercises = ["threads4"]       # and these
//! [points]                       # optional: what an exercise is worth here
//! threads4 = 3
//! ```
//!
//! The result is in course order. An unknown exercise or topic is an error with the
//! file, line and column, never a silent omission.

use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::course::{Course, EXERCISES_DIR, Exercise};
use crate::error::{ConfigError, Error};
use crate::gradebook::Assigned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AssignmentFile {
    #[serde(default)]
    topics: Vec<Spanned<String>>,
    #[serde(default)]
    exercises: Vec<Spanned<String>>,
    #[serde(default)]
    points: std::collections::BTreeMap<Spanned<String>, u32>,
}

/// A selection of the course, from the command line or a file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    pub topics: Vec<String>,
    pub exercises: Vec<String>,
}

fn assigned(exercise: &Exercise, points: u32) -> Assigned {
    Assigned {
        exercise: exercise.name.clone(),
        topic: exercise.topic.clone(),
        file: format!(
            "{EXERCISES_DIR}/{}",
            exercise
                .relative_path()
                .display()
                .to_string()
                .replace('\\', "/")
        ),
        points,
    }
}

/// The exercises of `selection` (all of the course when it is empty), in course order.
pub fn select(course: &Course, selection: &Selection) -> Result<Vec<Assigned>, Error> {
    for topic in &selection.topics {
        if !course
            .exercises
            .iter()
            .any(|exercise| exercise.topic == *topic)
        {
            return Err(Error::Usage(unknown_topic(course, topic)));
        }
    }
    let mut names = Vec::new();
    for name in &selection.exercises {
        names.push(course.exercise(name)?.name.clone());
    }
    let everything = selection.topics.is_empty() && selection.exercises.is_empty();
    Ok(course
        .exercises
        .iter()
        .filter(|exercise| {
            everything
                || selection.topics.contains(&exercise.topic)
                || names.contains(&exercise.name)
        })
        .map(|exercise| assigned(exercise, exercise.points))
        .collect())
}

fn unknown_topic(course: &Course, topic: &str) -> String {
    let mut topics: Vec<&str> = course.exercises.iter().map(|e| e.topic.as_str()).collect();
    topics.dedup();
    format!(
        "no topic `{topic}` in the course; its topics are: {}",
        topics.join(", ")
    )
}

/// The exercises an assignment file lists, with its points.
pub fn read(course: &Course, path: &Path) -> Result<Vec<Assigned>, Error> {
    let text = std::fs::read_to_string(path)
        .map_err(Error::io(format!("read the assignment {}", path.display())))?;
    parse(course, path, &text).map_err(Error::Config)
}

fn parse(course: &Course, path: &Path, text: &str) -> Result<Vec<Assigned>, ConfigError> {
    let at = |span: Range<usize>, message: String| ConfigError::at(path, text, span.start, message);
    let file: AssignmentFile = toml::from_str(text).map_err(|err| {
        let span = err.span().unwrap_or(0..0);
        at(span, err.message().to_owned())
    })?;
    if file.topics.is_empty() && file.exercises.is_empty() {
        return Err(ConfigError::plain(format!(
            "{}: the assignment lists no `topics` and no `exercises`; to grade the whole \
             course, give no assignment",
            path.display()
        )));
    }
    for topic in &file.topics {
        if !course.exercises.iter().any(|e| e.topic == *topic.get_ref()) {
            return Err(at(topic.span(), unknown_topic(course, topic.get_ref())));
        }
    }
    let mut names = Vec::new();
    for name in &file.exercises {
        let exercise = course
            .exercise(name.get_ref())
            .map_err(|err| at(name.span(), err.to_string()))?;
        names.push(exercise.name.clone());
    }
    let mut points = std::collections::BTreeMap::new();
    for (name, value) in &file.points {
        let exercise = course
            .exercise(name.get_ref())
            .map_err(|err| at(name.span(), err.to_string()))?;
        let listed = names.contains(&exercise.name)
            || file
                .topics
                .iter()
                .any(|topic| *topic.get_ref() == exercise.topic);
        if !listed {
            return Err(at(
                name.span(),
                format!(
                    "`{}` has points but is not in the assignment: add it to `exercises`",
                    exercise.name
                ),
            ));
        }
        points.insert(exercise.name.clone(), *value);
    }
    Ok(course
        .exercises
        .iter()
        .filter(|exercise| {
            names.contains(&exercise.name)
                || file
                    .topics
                    .iter()
                    .any(|topic| *topic.get_ref() == exercise.topic)
        })
        .map(|exercise| {
            let points = points
                .get(&exercise.name)
                .copied()
                .unwrap_or(exercise.points);
            assigned(exercise, points)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::course::{Mode, StubFailure};
    use std::time::Duration;

    fn course() -> Course {
        let exercise = |name: &str, dir: &str, topic: &str, points: u32| Exercise {
            name: name.to_owned(),
            dir: dir.to_owned(),
            topic: topic.to_owned(),
            mode: Mode::Test,
            stub: StubFailure::TestFailed,
            hints: Vec::new(),
            timeout: Duration::from_secs(10),
            points,
        };
        Course::bare(
            std::path::PathBuf::from("/course"),
            vec![
                exercise("threads1", "01_threads", "threads", 1),
                exercise("threads2", "01_threads", "threads", 2),
                exercise("mpsc1", "05_message_passing", "message passing", 1),
                exercise("mpsc2", "05_message_passing", "message passing", 1),
            ],
        )
    }

    fn names(assigned: &[Assigned]) -> Vec<(&str, u32)> {
        assigned
            .iter()
            .map(|a| (a.exercise.as_str(), a.points))
            .collect()
    }

    #[test]
    fn everything_by_default_and_selections_in_course_order() {
        let course = course();
        let all = select(&course, &Selection::default()).unwrap();
        assert_eq!(
            names(&all),
            [("threads1", 1), ("threads2", 2), ("mpsc1", 1), ("mpsc2", 1)]
        );
        assert_eq!(all[0].file, "exercises/01_threads/threads1.rs");
        let some = select(
            &course,
            &Selection {
                topics: vec!["message passing".to_owned()],
                exercises: vec!["threads2".to_owned()],
            },
        )
        .unwrap();
        assert_eq!(names(&some), [("threads2", 2), ("mpsc1", 1), ("mpsc2", 1)]);
        let wrong = Selection {
            topics: vec!["atoms".to_owned()],
            exercises: Vec::new(),
        };
        let message = select(&course, &wrong).unwrap_err().to_string();
        assert_eq!(
            message,
            "no topic `atoms` in the course; its topics are: threads, message passing"
        );
    }

    #[test]
    fn an_assignment_file_selects_and_weighs() {
        let course = course();
        let text = "topics = [\"threads\"]\nexercises = [\"mpsc2\"]\n[points]\nmpsc2 = 5\n";
        let assigned = parse(&course, Path::new("week.toml"), text).unwrap();
        assert_eq!(
            names(&assigned),
            [("threads1", 1), ("threads2", 2), ("mpsc2", 5)]
        );
    }

    #[test]
    fn mistakes_in_an_assignment_file_say_where() {
        let course = course();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("week.toml");
        let error = |text: &str| {
            std::fs::write(&path, text).unwrap();
            let message = read(&course, &path).unwrap_err().to_string();
            message.replace(&path.display().to_string(), "week.toml")
        };
        assert!(
            error("exercises = [\"threads1\", \"thread9\"]\n")
                .starts_with("week.toml:1:26: no exercise named `thread9`: did you mean threads1")
        );
        assert!(error("topics = [\"nope\"]\n").starts_with("week.toml:1:11: no topic `nope`"));
        assert!(
            error("exercises = [\"threads1\"]\n[points]\nmpsc1 = 2\n")
                .starts_with("week.toml:3:1: `mpsc1` has points but is not in the assignment")
        );
        assert!(
            error("exercise = [\"threads1\"]\n")
                .starts_with("week.toml:1:1: unknown field `exercise`")
        );
        assert!(error("# nothing\n").contains("lists no `topics` and no `exercises`"));
    }
}
