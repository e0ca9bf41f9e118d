//! The class reports of `threadlings grade`, one file per format: rendered from a
//! [`Gradebook`] (pure: a format is a function from the gradebook to files), then written
//! into the output folder. Formats that schools' tools read per submission (Gradescope,
//! GitHub Classroom) give one file per student, or a single file when the class is one
//! student (the CI form, `threadlings grade .`).
//!
//! A format is one file here plus its line in [`ClassFormat`] and [`ClassFormat::render`].

pub mod csv;
pub mod github_classroom;
pub mod gradescope;
pub mod html;
pub mod junit;

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::gradebook::Gradebook;

/// A format of `grade --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum ClassFormat {
    /// `grades.json`: everything, the input of `merge-reports`.
    Json,
    /// `junit.xml`: one testsuite per student, one testcase per exercise.
    Junit,
    /// Gradescope's `results.json` per student.
    Gradescope,
    /// GitHub Classroom's autograding result (`version: 1`) per student.
    GithubClassroom,
    /// `grades.csv`: a gradebook, one row per student, one column per exercise.
    Csv,
    /// `grades.html`: one self-contained page, students × exercises.
    Html,
}

/// One file of a report: where it goes under the output folder, and what it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportFile {
    pub path: PathBuf,
    pub contents: String,
}

impl ReportFile {
    fn new(path: impl Into<PathBuf>, contents: String) -> ReportFile {
        ReportFile {
            path: path.into(),
            contents,
        }
    }
}

impl ClassFormat {
    /// The files of this format for `book`.
    pub fn render(self, book: &Gradebook) -> Result<Vec<ReportFile>, String> {
        Ok(match self {
            ClassFormat::Json => vec![ReportFile::new(
                "grades.json",
                serde_json::to_string_pretty(book).map_err(|err| err.to_string())? + "\n",
            )],
            ClassFormat::Junit => vec![ReportFile::new("junit.xml", junit::render(book)?)],
            ClassFormat::Gradescope => per_student(book, "gradescope", "results.json", |index| {
                gradescope::render(book, index)
            })?,
            ClassFormat::GithubClassroom => {
                per_student(book, "github-classroom", "github-classroom.json", |index| {
                    github_classroom::render(book, index)
                })?
            }
            ClassFormat::Csv => vec![ReportFile::new("grades.csv", csv::render(book)?)],
            ClassFormat::Html => vec![ReportFile::new("grades.html", html::render(book))],
        })
    }
}

/// `single` for a class of one; else `<folder>/<student>.json` for each student.
fn per_student(
    book: &Gradebook,
    folder: &str,
    single: &str,
    render: impl Fn(usize) -> Result<String, String>,
) -> Result<Vec<ReportFile>, String> {
    if book.students.len() == 1 {
        return Ok(vec![ReportFile::new(single, render(0)?)]);
    }
    let names = file_names(book.students.iter().map(|student| student.student.as_str()));
    book.students
        .iter()
        .enumerate()
        .map(|(index, _)| {
            Ok(ReportFile::new(
                Path::new(folder).join(format!("{}.json", names[index])),
                render(index)?,
            ))
        })
        .collect()
}

/// File names for student ids: letters, digits, `.`, `_` and `-` kept, anything else
/// `_`; a name taken twice gets `-2`, `-3`...
fn file_names<'a>(ids: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for id in ids {
        let base: String = id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let base = if base.trim_matches('.').is_empty() {
            "student".to_owned()
        } else {
            base
        };
        let mut name = base.clone();
        let mut n = 1;
        while names.contains(&name) {
            n += 1;
            name = format!("{base}-{n}");
        }
        names.push(name);
    }
    names
}

/// Renders every format of `formats` and writes the files under `out`; returns their
/// paths. Nothing is written unless every format rendered.
pub fn write(out: &Path, formats: &[ClassFormat], book: &Gradebook) -> Result<Vec<PathBuf>, Error> {
    let mut files = Vec::new();
    for format in formats {
        files.extend(
            format.render(book).map_err(|why| {
                Error::Tool(format!("cannot render the {format:?} report: {why}"))
            })?,
        );
    }
    let mut written = Vec::new();
    for file in files {
        let path = out.join(&file.path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .map_err(Error::io(format!("create {}", parent.display())))?;
        }
        fs::write(&path, &file.contents).map_err(Error::io(format!("write {}", path.display())))?;
        written.push(path);
    }
    Ok(written)
}

/// Seconds as the formats print them: milliseconds at most.
fn seconds(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradebook::tests::class;

    #[test]
    fn per_submission_formats_give_a_file_per_student_or_one_for_a_class_of_one() {
        let book = class();
        let files = ClassFormat::Gradescope.render(&book).unwrap();
        let paths: Vec<&Path> = files.iter().map(|file| file.path.as_path()).collect();
        assert_eq!(
            paths,
            [
                Path::new("gradescope/ada.json"),
                Path::new("gradescope/bob__b_.json"),
                Path::new("gradescope/cy.json")
            ]
        );
        let mut one = book.clone();
        one.students.truncate(1);
        let files = ClassFormat::GithubClassroom.render(&one).unwrap();
        assert_eq!(files[0].path, Path::new("github-classroom.json"));
    }

    #[test]
    fn student_ids_become_distinct_safe_file_names() {
        assert_eq!(
            file_names(["a/b", "a_b", "..", "ok-1.x", "a?b"].into_iter()),
            ["a_b", "a_b-2", "student", "ok-1.x", "a_b-3"]
        );
    }

    #[test]
    fn every_format_renders_and_is_written_where_it_says() {
        let book = class();
        let out = tempfile::tempdir().unwrap();
        let all = [
            ClassFormat::Json,
            ClassFormat::Junit,
            ClassFormat::Gradescope,
            ClassFormat::GithubClassroom,
            ClassFormat::Csv,
            ClassFormat::Html,
        ];
        let written = write(out.path(), &all, &book).unwrap();
        let names: Vec<String> = written
            .iter()
            .map(|path| path.strip_prefix(out.path()).unwrap().display().to_string())
            .collect();
        assert_eq!(
            names,
            [
                "grades.json",
                "junit.xml",
                "gradescope/ada.json",
                "gradescope/bob__b_.json",
                "gradescope/cy.json",
                "github-classroom/ada.json",
                "github-classroom/bob__b_.json",
                "github-classroom/cy.json",
                "grades.csv",
                "grades.html"
            ]
        );
        let json: Gradebook =
            serde_json::from_str(&fs::read_to_string(out.path().join("grades.json")).unwrap())
                .unwrap();
        assert_eq!(json, book);
    }
}
