//! Classroom grading: a whole class of submissions graded against one course, and the
//! reports schools use. `roster` finds the students, `assignment` what they are graded
//! on, `merge` combines the gradebooks of a class graded in partitions. The gradebook
//! itself is `crate::gradebook`; its formats are `report::class`.

pub mod assignment;
pub mod grade;
pub mod merge;
pub mod roster;
pub mod scratch;
