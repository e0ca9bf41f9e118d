//! What the watch loop shows: a full screen in a terminal, one line per verdict without
//! one, or JSON lines for editors and scripts (`--events json`, no terminal control codes).

use std::fmt::Write as _;
use std::fs;
use std::io::{self, Write};
use std::time::{SystemTime, UNIX_EPOCH};

use colored::Colorize;
use crossterm::{cursor, execute, queue, terminal};
use serde::Serialize;

use super::{Reporter, human, json};
use crate::course::{Course, Exercise, Side};
use crate::engine::Graded;
use crate::session::{CheckStatus, Core, Screen};

/// Where the loop's output goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    Terminal,
    Lines,
    Events,
}

/// The loop's view.
#[derive(Debug)]
pub struct WatchView<'a> {
    output: Output,
    reporter: &'a Reporter,
}

#[derive(Serialize)]
struct EventLine<'a, T: Serialize> {
    event: &'a str,
    at_ms: u128,
    #[serde(flatten)]
    body: T,
}

#[derive(Serialize)]
struct ExerciseBody<'a> {
    exercise: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<String>,
}

#[derive(Serialize)]
struct MessageBody<'a> {
    message: &'a str,
}

const KEYS: &str =
    "n next · h hint · l list · r re-run · s solution · x reset · c check all · q quit";

/// While it lives, the terminal is in raw mode on the alternate screen; dropping it (on
/// quit, Ctrl-C or a panic) puts the terminal back as it was.
#[derive(Debug)]
pub struct RawScreen {
    _private: (),
}

impl Drop for RawScreen {
    fn drop(&mut self) {
        leave_screen();
    }
}

fn leave_screen() {
    let _ = execute!(io::stdout(), cursor::Show, terminal::LeaveAlternateScreen);
    let _ = terminal::disable_raw_mode();
    let _ = io::stdout().flush();
}

impl<'a> WatchView<'a> {
    pub fn new(output: Output, reporter: &'a Reporter) -> Self {
        WatchView { output, reporter }
    }

    /// Enters raw mode and the alternate screen, and makes sure a panic leaves them.
    pub fn enter_screen(&self) -> io::Result<RawScreen> {
        terminal::enable_raw_mode()?;
        execute!(io::stdout(), terminal::EnterAlternateScreen, cursor::Hide)?;
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            leave_screen();
            previous(info);
        }));
        Ok(RawScreen { _private: () })
    }

    fn event(&self, event: &str, body: impl Serialize) {
        let line = EventLine {
            event,
            at_ms: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |since| since.as_millis()),
            body,
        };
        if let Ok(json) = serde_json::to_string(&line) {
            self.reporter.text(&json);
        }
    }

    /// The course's welcome, the first time. On the terminal it is shown on the screen
    /// (see [`screen`]), so nothing is printed here.
    pub fn welcome(&self, message: &str) {
        match self.output {
            Output::Events => self.event("welcome", MessageBody { message }),
            Output::Lines => self.reporter.text(message),
            Output::Terminal => {}
        }
    }

    /// Something the learner should know that is not a verdict.
    pub fn notice(&self, message: &str) {
        match self.output {
            Output::Events => self.event("notice", MessageBody { message }),
            Output::Lines => self.reporter.text(&format!("note: {message}")),
            Output::Terminal => self.reporter.warning(message),
        }
    }

    pub fn started(&self, exercise: &Exercise) {
        if self.output == Output::Events {
            self.event(
                "started",
                ExerciseBody {
                    exercise: &exercise.name,
                    path: None,
                },
            );
        }
    }

    pub fn next(&self, course: &Course, exercise: &Exercise) {
        let path = super::display_path(course, exercise, Side::Exercise);
        match self.output {
            Output::Events => self.event(
                "next",
                ExerciseBody {
                    exercise: &exercise.name,
                    path: Some(path),
                },
            ),
            Output::Lines => self.reporter.text(&format!("→ {} ({path})", exercise.name)),
            Output::Terminal => {}
        }
    }

    pub fn verdict(&self, course: &Course, exercise: &Exercise, graded: &Graded) {
        match self.output {
            Output::Events => self.event("verdict", json::RunReport::new(graded)),
            Output::Lines => {
                let path = super::display_path(course, exercise, Side::Exercise);
                let mark = if graded.verdict().passed() {
                    "✓".green()
                } else {
                    "✗".red()
                };
                self.reporter.text(&format!(
                    "{mark} {} {} ({path})",
                    exercise.name,
                    human::judgement_line(&graded.judgement)
                ));
            }
            Output::Terminal => {}
        }
    }

    pub fn finish(&self, message: &str) {
        match self.output {
            Output::Events => self.event("done", MessageBody { message }),
            Output::Lines => self.reporter.text(message),
            Output::Terminal => {}
        }
    }

    /// Draws the whole screen (terminal only).
    pub fn render(&self, core: &Core, course: &Course) {
        if self.output != Output::Terminal {
            return;
        }
        let (width, height) = terminal::size().unwrap_or((100, 30));
        let text = screen(core, course, usize::from(width), usize::from(height));
        let mut stdout = io::stdout().lock();
        let _ = queue!(
            stdout,
            cursor::MoveTo(0, 0),
            terminal::Clear(terminal::ClearType::All)
        );
        // Raw mode: a line feed does not return the carriage.
        let _ = stdout.write_all(text.replace('\n', "\r\n").as_bytes());
        let _ = stdout.flush();
    }
}

/// The screen as text, fitted to `width` × `height`.
pub fn screen(core: &Core, course: &Course, width: usize, height: usize) -> String {
    let exercise = &course.exercises[core.current];
    let mut head = String::new();
    let done = core.done.iter().filter(|done| **done).count();
    let total = core.done.len();
    let topic_indices: Vec<usize> = (0..total)
        .filter(|i| course.exercises[*i].topic == exercise.topic)
        .collect();
    let topic_done = topic_indices.iter().filter(|i| core.done[**i]).count();
    let _ = writeln!(
        head,
        "{} {} {done}/{total} done · {} {topic_done}/{}",
        "threadlings".bold(),
        progress_bar(done, total, 24),
        exercise.topic,
        topic_indices.len()
    );
    let path = super::display_path(course, exercise, Side::Exercise);
    let link = hyperlink(&course.root.join(&path).display().to_string(), &path);
    let _ = writeln!(head, "{} {link}", exercise.name.bold().cyan());
    let _ = writeln!(head);

    let mut body = String::new();
    match &core.screen {
        Screen::Exercise => exercise_body(&mut body, core, course, exercise),
        Screen::List {
            filter,
            cursor,
            typing,
        } => list_body(
            &mut body,
            core,
            course,
            filter,
            *cursor,
            *typing,
            height.saturating_sub(8),
        ),
        Screen::ConfirmReset => {
            let _ = writeln!(
                body,
                "Reset {path} to its original version? Your file is kept in .threadlings/backups/.\n\ny to reset, any other key to cancel"
            );
        }
        Screen::Solution => {
            let solution =
                fs::read_to_string(course.path(exercise, Side::Solution)).unwrap_or_default();
            let _ = writeln!(
                body,
                "{}\n",
                "The reference solution (any key to go back):".bold()
            );
            body.push_str(&solution);
        }
        Screen::Check => check_body(&mut body, core, course),
    }

    let mut foot = String::new();
    if let Some(notice) = &core.notice {
        let _ = writeln!(foot, "{}", notice.yellow());
    }
    let keys = match core.screen {
        Screen::List { typing: true, .. } => "type to filter · Enter open · Esc done filtering",
        Screen::List { .. } => "↑/↓ or j/k move · / filter · Enter open · Esc back",
        Screen::ConfirmReset => "y reset · any other key cancels",
        Screen::Solution => "any key: back · q quit",
        Screen::Check if core.checking => "q quit",
        Screen::Check => "any key: back · q quit",
        Screen::Exercise => KEYS,
    };
    let _ = write!(foot, "{}", keys.dimmed());

    let room = height.saturating_sub(rows(&head, width) + rows(&foot, width) + 1);
    format!("{head}{}\n{foot}", fit(&body, width, room, &exercise.name))
}

fn exercise_body(body: &mut String, core: &Core, course: &Course, exercise: &Exercise) {
    if core.finished {
        let _ = writeln!(
            body,
            "{}",
            course
                .final_message
                .as_deref()
                .unwrap_or("Every exercise is done.")
                .trim()
                .green()
        );
        return;
    }
    if let Some(elapsed) = core.elapsed() {
        // The limit, so a long wait is not a mystery (a deadlock ends within a second; a
        // busy loop runs to the limit).
        let _ = writeln!(
            body,
            "⟳ grading {}… {:.1} s {}",
            exercise.name,
            elapsed.as_secs_f64(),
            format!("(time limit {} s)", exercise.timeout.as_secs()).dimmed()
        );
    } else if let Some(fault) = &core.fault {
        let _ = writeln!(
            body,
            "{} the grader could not grade this: {fault}",
            "error:".red().bold()
        );
    } else if let Some(graded) = &core.last {
        body.push_str(&human::graded(
            graded,
            exercise,
            &super::display_path(course, exercise, Side::Exercise),
        ));
        if graded.verdict().passed() {
            let _ = writeln!(
                body,
                "\n{}",
                "Press n for the next exercise, s to compare with the reference solution.".green()
            );
        }
    }
    if core.hints_shown > 0 {
        body.push('\n');
        body.push_str(&human::hints(exercise, core.hints_shown, "press h"));
    }
}

fn list_body(
    body: &mut String,
    core: &Core,
    course: &Course,
    filter: &str,
    cursor: usize,
    typing: bool,
    rows: usize,
) {
    let shown = core.listed(filter);
    let title = if typing || !filter.is_empty() {
        format!("filter: {filter}{}", if typing { "▏" } else { "" })
    } else {
        format!("{} exercises", shown.len())
    };
    let _ = writeln!(body, "{}", title.dimmed());
    let rows = rows.max(3);
    let first = cursor
        .saturating_sub(rows / 2)
        .min(shown.len().saturating_sub(rows));
    for (row, index) in shown.iter().enumerate().skip(first).take(rows) {
        let exercise = &course.exercises[*index];
        let mark = if core.done[*index] {
            "✓".green()
        } else {
            "·".dimmed()
        };
        let line = format!("{mark} {:<18} {}", exercise.name, exercise.topic);
        if row == cursor {
            let _ = writeln!(body, "{} {}", "›".cyan().bold(), line.bold());
        } else {
            let _ = writeln!(body, "  {line}");
        }
    }
}

fn check_body(body: &mut String, core: &Core, course: &Course) {
    let finished = core
        .check
        .iter()
        .filter(|status| **status != CheckStatus::Waiting)
        .count();
    let title = if core.checking {
        format!("checking every exercise… {finished}/{}", core.check.len())
    } else {
        "check finished (any key to go back)".to_owned()
    };
    let _ = writeln!(body, "{}", title.bold());
    for (exercise, status) in course.exercises.iter().zip(&core.check) {
        let line = match status {
            CheckStatus::Waiting => format!("{} {}", "·".dimmed(), exercise.name),
            CheckStatus::Passed => format!("{} {}", "✓".green(), exercise.name),
            CheckStatus::Failed(verdict) => format!("{} {} ({verdict})", "✗".red(), exercise.name),
        };
        let _ = writeln!(body, "{line}");
    }
}

fn progress_bar(done: usize, total: usize, width: usize) -> String {
    let filled = (done * width).checked_div(total).unwrap_or(0);
    format!(
        "▕{}{}▏",
        "█".repeat(filled).green(),
        "░".repeat(width - filled).dimmed()
    )
}

/// An OSC 8 terminal hyperlink to a file.
fn hyperlink(absolute: &str, text: &str) -> String {
    format!("\x1b]8;;file://{absolute}\x1b\\{text}\x1b]8;;\x1b\\")
}

/// Screen rows `text` takes at `width` columns.
fn rows(text: &str, width: usize) -> usize {
    text.lines()
        .map(|line| visible_len(line).max(1).div_ceil(width.max(1)))
        .sum()
}

fn visible_len(line: &str) -> usize {
    let mut len = 0;
    let mut escape = false;
    for c in line.chars() {
        match (escape, c) {
            (false, '\x1b') => escape = true,
            (true, 'm' | '\\') => escape = false,
            (true, _) => {}
            (false, _) => len += 1,
        }
    }
    len
}

/// `body` cut to `room` rows, with a note of what was cut.
fn fit(body: &str, width: usize, room: usize, name: &str) -> String {
    if rows(body, width) <= room {
        return body.to_owned();
    }
    let mut kept = String::new();
    let mut used = 0;
    let lines: Vec<&str> = body.lines().collect();
    for (index, line) in lines.iter().enumerate() {
        let need = rows(line, width).max(1);
        if used + need + 1 > room {
            let _ = writeln!(
                kept,
                "{}",
                format!(
                    "[… {} more lines: `threadlings run {name}` shows everything]",
                    lines.len() - index
                )
                .dimmed()
            );
            break;
        }
        kept.push_str(line);
        kept.push('\n');
        used += need;
    }
    kept
}
