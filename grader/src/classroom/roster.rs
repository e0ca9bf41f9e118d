//! Who is in the class: the submissions `threadlings grade PATH...` was given, each with
//! its student id, and the share of them a partition grades. Reads folders, nothing else.
//!
//! Each PATH is one student's checkout of the course, or a folder whose subfolders are
//! checkouts (the repositories an instructor cloned from GitHub Classroom). A checkout is
//! recognised by its `exercises/` folder; a subfolder without one is still a student, with
//! an error row saying why it could not be graded, so that nobody silently disappears
//! from the gradebook. Hidden folders (`.git`, `.github`) are not students.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::course::EXERCISES_DIR;
use crate::error::Error;

/// One student of the class: who, and where their submission is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Student {
    /// The student's id: the folder's name.
    pub student: String,
    pub path: PathBuf,
    /// Why it cannot be graded, if it cannot (not a checkout, unreadable).
    pub problem: Option<String>,
}

/// Whether `path` looks like a checkout of a course.
fn is_checkout(path: &Path) -> bool {
    path.join(EXERCISES_DIR).is_dir()
}

/// The id of the student whose checkout is `path`: its folder's name.
fn id_of(path: &Path) -> String {
    let canonical = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    canonical.file_name().map_or_else(
        || canonical.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    )
}

/// The submissions under `paths`, sorted by student id. A path that does not exist or
/// holds no submission at all is a usage error; so is a student id found twice.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<Student>, Error> {
    let mut found = Vec::new();
    for path in paths {
        if !path.is_dir() {
            return Err(Error::Usage(format!(
                "{}: no such folder; give each student's checkout of the course, or a folder \
                 of them",
                path.display()
            )));
        }
        if is_checkout(path) {
            found.push(Student {
                student: id_of(path),
                path: path.clone(),
                problem: None,
            });
            continue;
        }
        let entries = fs::read_dir(path).map_err(Error::io(format!("read {}", path.display())))?;
        let mut students = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let child = entry.path();
            if name.starts_with('.') || !child.is_dir() {
                continue;
            }
            let problem = (!is_checkout(&child)).then(|| {
                format!(
                    "not a checkout of the course: {} has no {EXERCISES_DIR}/ folder",
                    child.display()
                )
            });
            students.push(Student {
                student: name,
                path: child,
                problem,
            });
        }
        if students.is_empty() {
            return Err(Error::Usage(format!(
                "{}: neither a checkout of the course (no {EXERCISES_DIR}/ folder) nor a \
                 folder of checkouts (no subfolders): there is nobody to grade",
                path.display()
            )));
        }
        found.extend(students);
    }
    found.sort_by(|a, b| a.student.cmp(&b.student));
    let mut seen = BTreeSet::new();
    for submission in &found {
        if !seen.insert(submission.student.as_str()) {
            let paths: Vec<String> = found
                .iter()
                .filter(|other| other.student == submission.student)
                .map(|other| other.path.display().to_string())
                .collect();
            return Err(Error::Usage(format!(
                "two submissions have the student id `{}` ({}): ids are folder names and must \
                 be unique",
                submission.student,
                paths.join(", ")
            )));
        }
    }
    Ok(found)
}

/// `--partition K/N`: the K-th of N deterministic shares of the class (1-based), so a
/// large class can be graded as a CI matrix and merged with `merge-reports`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Partition {
    pub index: usize,
    pub count: usize,
}

impl FromStr for Partition {
    type Err = String;

    fn from_str(text: &str) -> Result<Partition, String> {
        let usage = || format!("`{text}` is not a partition: write K/N with 1 <= K <= N, e.g. 2/4");
        let (index, count) = text.split_once('/').ok_or_else(usage)?;
        let index: usize = index.trim().parse().map_err(|_| usage())?;
        let count: usize = count.trim().parse().map_err(|_| usage())?;
        if index == 0 || count == 0 || index > count {
            return Err(usage());
        }
        Ok(Partition { index, count })
    }
}

impl Partition {
    /// This share of `submissions` (sorted by id): every N-th, starting at the K-th, so
    /// the shares are even, disjoint and together the whole class, on any machine.
    pub fn select(self, submissions: Vec<Student>) -> Vec<Student> {
        submissions
            .into_iter()
            .enumerate()
            .filter(|(position, _)| position % self.count == self.index - 1)
            .map(|(_, submission)| submission)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class() -> tempfile::TempDir {
        let root = tempfile::tempdir().unwrap();
        for student in ["zoe", "ada", "bob"] {
            fs::create_dir_all(root.path().join(student).join("exercises")).unwrap();
        }
        fs::create_dir_all(root.path().join("notes")).unwrap();
        fs::create_dir_all(root.path().join(".git")).unwrap();
        fs::write(root.path().join("README.md"), "class").unwrap();
        root
    }

    #[test]
    fn a_folder_of_checkouts_is_a_class_sorted_by_id() {
        let root = class();
        let found = discover(&[root.path().to_path_buf()]).unwrap();
        let ids: Vec<&str> = found.iter().map(|s| s.student.as_str()).collect();
        assert_eq!(ids, ["ada", "bob", "notes", "zoe"]);
        assert!(found[0].problem.is_none());
        assert!(
            found[2]
                .problem
                .as_deref()
                .unwrap()
                .starts_with("not a checkout of the course"),
            "a folder that is not a checkout is a student with an error row"
        );
    }

    #[test]
    fn a_checkout_is_one_student_named_after_its_folder() {
        let root = class();
        let found = discover(&[root.path().join("bob"), root.path().join("ada")]).unwrap();
        let ids: Vec<&str> = found.iter().map(|s| s.student.as_str()).collect();
        assert_eq!(ids, ["ada", "bob"]);
        let dot = discover(&[root.path().join("zoe").join(".")]).unwrap();
        assert_eq!(dot[0].student, "zoe", "`grade .` inside a checkout");
    }

    #[test]
    fn nobody_to_grade_and_duplicate_ids_are_usage_errors() {
        let root = class();
        let empty = tempfile::tempdir().unwrap();
        let message = |paths: &[PathBuf]| discover(paths).unwrap_err().to_string();
        assert!(message(&[empty.path().to_path_buf()]).contains("there is nobody to grade"));
        assert!(message(&[root.path().join("missing")]).contains("no such folder"));
        assert!(
            message(&[root.path().to_path_buf(), root.path().join("ada")])
                .contains("two submissions have the student id `ada`")
        );
    }

    #[test]
    fn partitions_are_disjoint_even_and_cover_the_class() {
        let students: Vec<Student> = (0..10)
            .map(|n| Student {
                student: format!("s{n:02}"),
                path: PathBuf::new(),
                problem: None,
            })
            .collect();
        let mut seen = Vec::new();
        for index in 1..=3 {
            let share = Partition { index, count: 3 }.select(students.clone());
            assert!((3..=4).contains(&share.len()));
            seen.extend(share.into_iter().map(|s| s.student));
        }
        seen.sort();
        assert_eq!(
            seen,
            students
                .iter()
                .map(|s| s.student.clone())
                .collect::<Vec<_>>()
        );
        assert_eq!("2/4".parse(), Ok(Partition { index: 2, count: 4 }));
        for bad in ["0/4", "5/4", "1/0", "x/2", "3"] {
            assert!(
                bad.parse::<Partition>().unwrap_err().contains("write K/N"),
                "{bad}"
            );
        }
    }
}
