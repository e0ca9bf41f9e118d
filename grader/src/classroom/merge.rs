//! `threadlings merge-reports`: the gradebooks of a class graded in partitions (a CI
//! matrix, `grade --partition K/N --format json`) combined into one, as if graded in one
//! run. Pure, once the files are read.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::gradebook::Gradebook;

/// Reads the `grades.json` of each partition (a file, or a folder holding one).
pub fn read(paths: &[PathBuf]) -> Result<Vec<(PathBuf, Gradebook)>, Error> {
    if paths.is_empty() {
        return Err(Error::Usage(
            "give the grades.json of each partition (or the folders holding them)".to_owned(),
        ));
    }
    paths
        .iter()
        .map(|path| {
            let file = if path.is_dir() {
                path.join("grades.json")
            } else {
                path.clone()
            };
            let text = std::fs::read_to_string(&file).map_err(|err| {
                Error::Usage(format!(
                    "{}: {err}; give the grades.json that `grade --format json` wrote",
                    file.display()
                ))
            })?;
            let book = serde_json::from_str(&text).map_err(|err| {
                Error::Usage(format!(
                    "{}:{}:{}: not a threadlings gradebook: {err}",
                    file.display(),
                    err.line(),
                    err.column()
                ))
            })?;
            Ok((file, book))
        })
        .collect()
}

/// One gradebook of every student of `parts`, sorted by id. The parts must have graded
/// the same assignment, and no student twice.
pub fn merge(parts: Vec<(PathBuf, Gradebook)>) -> Result<Gradebook, Error> {
    let mut parts = parts.into_iter();
    let Some((first_path, mut merged)) = parts.next() else {
        return Err(Error::Usage("no gradebooks to merge".to_owned()));
    };
    let mut origin: Vec<(String, PathBuf)> = merged
        .students
        .iter()
        .map(|student| (student.student.clone(), first_path.clone()))
        .collect();
    for (path, book) in parts {
        if book.assignment != merged.assignment {
            return Err(Error::Usage(format!(
                "{} graded another assignment than {}: merge only the partitions of one \
                 grading run",
                path.display(),
                first_path.display()
            )));
        }
        for student in book.students {
            if let Some((_, other)) = origin.iter().find(|(id, _)| *id == student.student) {
                return Err(Error::Usage(format!(
                    "student `{}` is in both {} and {}: were two partitions the same K/N?",
                    student.student,
                    shown(other),
                    shown(&path)
                )));
            }
            origin.push((student.student.clone(), path.clone()));
            merged.students.push(student);
        }
        for line in book.sandbox {
            if !merged.sandbox.contains(&line) {
                merged.sandbox.push(line);
            }
        }
        merged.seconds += book.seconds;
    }
    merged.students.sort_by(|a, b| a.student.cmp(&b.student));
    Ok(merged)
}

fn shown(path: &Path) -> String {
    path.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradebook::tests::class;

    fn split() -> Vec<(PathBuf, Gradebook)> {
        let whole = class();
        let mut first = whole.clone();
        let mut second = whole;
        first.students.retain(|s| s.student != "ada");
        second.students.retain(|s| s.student == "ada");
        second.sandbox.push("seccomp: off".to_owned());
        vec![
            (PathBuf::from("p1/grades.json"), first),
            (PathBuf::from("p2/grades.json"), second),
        ]
    }

    #[test]
    fn partitions_merge_into_the_whole_class() {
        let merged = merge(split()).unwrap();
        let ids: Vec<&str> = merged.students.iter().map(|s| s.student.as_str()).collect();
        assert_eq!(ids, ["ada", "bob <b>", "cy"]);
        assert_eq!(merged.seconds, 32.0);
        assert_eq!(merged.sandbox, ["landlock: enforced", "seccomp: off"]);
        assert_eq!(merged.assignment, class().assignment);
    }

    #[test]
    fn overlapping_or_mismatched_partitions_are_refused() {
        let mut parts = split();
        parts[1].1.students = class().students;
        let message = merge(parts).unwrap_err().to_string();
        assert!(
            message.contains("student `bob <b>` is in both p1/grades.json and p2/grades.json"),
            "{message}"
        );
        let mut parts = split();
        parts[1].1.assignment[0].points = 9;
        assert!(
            merge(parts)
                .unwrap_err()
                .to_string()
                .contains("graded another assignment")
        );
    }

    #[test]
    fn unreadable_reports_say_which_and_why() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("grades.json"), "{\"students\": 3}").unwrap();
        let message = read(&[dir.path().to_path_buf()]).unwrap_err().to_string();
        assert!(
            message.contains("grades.json:1:") && message.contains("not a threadlings gradebook"),
            "{message}"
        );
        let message = read(&[dir.path().join("nope.json")])
            .unwrap_err()
            .to_string();
        assert!(message.contains("nope.json"), "{message}");
    }
}
