//! `grades.csv`, a gradebook for a spreadsheet: one row per student, a column per
//! exercise with the points earned, then `total`, `max` and `error` (why a student could
//! not be graded; their exercise cells are empty).

use crate::gradebook::Gradebook;

pub fn render(book: &Gradebook) -> Result<String, String> {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    let mut header = vec!["student".to_owned()];
    header.extend(
        book.assignment
            .iter()
            .map(|assigned| assigned.exercise.clone()),
    );
    header.extend(["total", "max", "error"].map(str::to_owned));
    writer
        .write_record(&header)
        .map_err(|err| err.to_string())?;
    for student in &book.students {
        let mut row = vec![student.student.clone()];
        let error = student.error();
        for assigned in &book.assignment {
            row.push(match (error, student.grade(&assigned.exercise)) {
                (None, Some(grade)) => grade.score.to_string(),
                (None, None) => "0".to_owned(),
                (Some(_), _) => String::new(),
            });
        }
        row.push(student.score().to_string());
        row.push(book.max_score().to_string());
        row.push(error.unwrap_or_default().to_owned());
        writer.write_record(&row).map_err(|err| err.to_string())?;
    }
    let bytes = writer.into_inner().map_err(|err| err.to_string())?;
    String::from_utf8(bytes).map_err(|err| err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradebook::tests::class;

    #[test]
    fn one_row_per_student_one_column_per_exercise() {
        let text = render(&class()).unwrap();
        assert_eq!(
            text,
            "student,threads1,mpsc1,total,max,error\n\
             ada,2,2,4,4,\n\
             bob <b>,0,0,0,4,\n\
             cy,,,0,4,not a checkout of the course: no exercises/ folder\n"
        );
        let mut reader = ::csv::Reader::from_reader(text.as_bytes());
        assert_eq!(reader.records().count(), 3);
    }
}
