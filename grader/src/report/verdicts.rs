//! The verdicts format (`--output-format verdicts`): one line per graded exercise, its name and
//! its verdict (`threads1 pass`), as each is graded; for scripts that want no more.

use super::{Format, Out, Sink};
use crate::engine::Event;

pub const FORMAT: Format = Format::new("verdicts", || Box::new(Verdicts));

#[derive(Debug)]
pub struct Verdicts;

impl Sink for Verdicts {
    fn event(&self, out: &Out, event: &Event<'_>) {
        if let Event::Graded { exercise, graded } = event {
            out.print(&format!(
                "{} {}\n",
                exercise.name,
                graded.verdict().kind().as_str()
            ));
        }
    }
}
