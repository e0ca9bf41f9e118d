//! The watch screen's layout: the session's state in, lines out. Pure (no terminal, no
//! files, no clock), so every screen is snapshot-tested at fixed sizes; the driver reads
//! what a frame needs from disk, and `report::screen` draws the lines on the terminal.
//!
//! The rules it keeps: the key line and the hints always have room, whatever the length
//! of the verdict (a long verdict scrolls instead, with a line that says so); text wraps
//! at word boundaries; widths are measured without escape sequences (colours, the OSC 8
//! link of the exercise's path), which take no room on the screen.
//!
//! Must not: touch the terminal, read files or the clock.

use std::fmt::Write as _;

use colored::Colorize;
use console::{AnsiCodeIterator, measure_text_width};

use super::session::{CheckStatus, Core, Screen};
use crate::course::{Course, Exercise, Side};
use crate::report::human;

/// The key line of the exercise screen.
pub const KEYS: &str =
    "n next · h hint · l list · r re-run · s solution · x reset · c check · q quit";
/// Rows a verdict keeps however many hints are shown (when it has that many).
const MIN_BODY_ROWS: usize = 3;
/// A notice longer than this is shown above the body instead of above the keys.
const LONG_NOTICE_ROWS: usize = 3;

/// One screen, ready to draw.
#[derive(Debug, PartialEq, Eq)]
pub struct Frame {
    /// At most `height` lines, each at most `width` columns wide.
    pub lines: Vec<String>,
    /// How many hints of the current exercise the learner can see on this frame (hint N
    /// visible means the first N were revealed): hints count as shown from here.
    pub hints_visible: usize,
    /// The largest useful scroll offset of the body (the driver clamps to it).
    pub max_scroll: usize,
}

/// The lesson at the top of an exercise file: its leading `//!` comment, as text.
pub fn lesson(source: &str) -> String {
    let lines: Vec<&str> = source
        .lines()
        .map_while(|line| line.strip_prefix("//!"))
        .map(|line| line.strip_prefix(' ').unwrap_or(line))
        .collect();
    human::escape_controls(&lines.join("\n"))
}

/// What the screen needs besides the session: the solution's text (read by the caller),
/// and how the learner started the grader (for commands in messages).
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub solution: Option<&'a str>,
    /// The lesson at the top of the exercise file, shown while its first check runs.
    pub lesson: Option<&'a str>,
    pub command: &'a str,
}

/// Lays out the whole screen at `width` × `height`.
pub fn frame(
    core: &Core,
    course: &Course,
    context: Context<'_>,
    width: usize,
    height: usize,
) -> Frame {
    let width = width.max(20);
    let height = height.max(4);
    let exercise = &course.exercises[core.current()];

    let mut head = Vec::new();
    for line in header(core, course, exercise).lines() {
        head.extend(wrap(line, width));
    }

    let keys = wrap_text(
        keys_line(core.screen(), core.checking())
            .dimmed()
            .to_string()
            .as_str(),
        width,
    );
    let mut notice = core
        .notice()
        .map(|notice| wrap_text(&notice.yellow().to_string(), width))
        .unwrap_or_default();
    // A long notice (the welcome) reads at the top of the body, and scrolls with it.
    let long_notice = if notice.len() > LONG_NOTICE_ROWS {
        std::mem::take(&mut notice)
    } else {
        Vec::new()
    };

    // Rows left for the body and the hints, below the header (and its blank line).
    let mut avail = height.saturating_sub(keys.len() + notice.len());
    let head_rows = (head.len() + 1).min(avail.saturating_sub(1));
    head.truncate(head_rows.saturating_sub(1));
    avail = avail.saturating_sub(head_rows);

    let showing_hints =
        *core.screen() == Screen::Exercise && !core.finished() && core.hints_shown() > 0;
    let body_text = match core.screen() {
        Screen::List {
            filter,
            cursor,
            typing,
        } => list_body(
            core,
            course,
            filter,
            *cursor,
            *typing,
            avail.saturating_sub(1),
        ),
        Screen::Exercise => exercise_body(core, course, exercise, context),
        Screen::ConfirmReset => format!(
            "Reset {} to its original version? Your file is kept in .threadlings/backups/.\n\n\
             y to reset, any other key to cancel\n",
            exercise.display_path(Side::Exercise)
        ),
        Screen::Solution => format!(
            "{}\n\n{}",
            "The reference solution (↑/↓ scroll, any other key to go back):".bold(),
            context
                .solution
                .unwrap_or("(the solution could not be read)")
        ),
        Screen::Check => check_body(core, course, width),
    };
    let mut body = long_notice;
    if !body.is_empty() {
        body.push(String::new());
    }
    body.extend(wrap_text(&body_text, width));

    // Hints, the newest first, as many as fit while the verdict keeps a few rows.
    let mut hint_lines: Vec<String> = Vec::new();
    let mut hints_visible = 0;
    if showing_hints {
        let body_floor = body.len().min(MIN_BODY_ROWS) + usize::from(body.len() > MIN_BODY_ROWS);
        let room = avail.saturating_sub(body_floor + usize::from(!body.is_empty()));
        let total = exercise.hints.len();
        let shown = core.hints_shown().min(total);
        let mut more = Vec::new();
        if shown < total {
            more = wrap_text(
                &format!("({} more: press h)", total - shown)
                    .dimmed()
                    .to_string(),
                width,
            );
        }
        let mut blocks: Vec<Vec<String>> = Vec::new();
        let mut used = more.len();
        let mut first_shown = shown;
        for index in (0..shown).rev() {
            let block = wrap_text(
                &format!(
                    "{} {}",
                    format!("hint {}/{total}:", index + 1).cyan().bold(),
                    exercise.hints[index]
                ),
                width,
            );
            // An earlier hint left out costs a row to say so.
            let note = usize::from(index > 0);
            if used + block.len() + note > room {
                break;
            }
            used += block.len();
            blocks.push(block);
            first_shown = index;
        }
        if !blocks.is_empty() {
            hints_visible = shown;
            if first_shown > 0 {
                let earlier = if first_shown == 1 {
                    "hint 1 is".to_owned()
                } else {
                    format!("hints 1–{first_shown} are")
                };
                hint_lines.extend(wrap_text(
                    &format!(
                        "({earlier} off screen: `{} hint {} --all` prints them all)",
                        context.command, exercise.name
                    )
                    .dimmed()
                    .to_string(),
                    width,
                ));
                hint_lines.truncate(1);
            }
            for block in blocks.into_iter().rev() {
                hint_lines.extend(block);
            }
            hint_lines.extend(more);
        }
    }

    let body_room = avail.saturating_sub(hint_lines.len() + usize::from(!hint_lines.is_empty()));
    let (shown_body, max_scroll) = scroll(&body, core.scroll(), body_room, width);

    let mut lines = head;
    lines.push(String::new());
    lines.extend(shown_body);
    if !hint_lines.is_empty() {
        // The hints sit just above the keys; a blank row between them and the verdict.
        while lines.len() + hint_lines.len() + notice.len() + keys.len() < height {
            lines.push(String::new());
        }
        lines.extend(hint_lines);
    }
    lines.extend(notice);
    lines.extend(keys);
    if lines.len() > height {
        // A tiny terminal: the keys stay, the header goes first.
        let extra = lines.len() - height;
        lines.drain(..extra);
    }
    Frame {
        lines,
        hints_visible,
        max_scroll,
    }
}

/// The rows of `body` from `offset` that fit in `room`, with a line that says where the
/// view is when it does not all fit; and the largest useful offset.
fn scroll(body: &[String], offset: usize, room: usize, width: usize) -> (Vec<String>, usize) {
    if body.len() <= room {
        return (body.to_vec(), 0);
    }
    if room < 2 {
        return (body.iter().take(room).cloned().collect(), 0);
    }
    let window = room - 1;
    let max = body.len() - window;
    let first = offset.min(max);
    let mut shown: Vec<String> = body[first..first + window].to_vec();
    let where_ = format!(
        "── lines {}–{} of {} · ↑/↓ j/k PgUp/PgDn scroll ──",
        first + 1,
        first + window,
        body.len()
    );
    shown.push(
        console::truncate_str(&where_, width, "")
            .dimmed()
            .to_string(),
    );
    (shown, max)
}

fn header(core: &Core, course: &Course, exercise: &Exercise) -> String {
    let mut head = String::new();
    let done = core.done().iter().filter(|done| **done).count();
    let total = core.done().len();
    let topic_indices: Vec<usize> = (0..total)
        .filter(|i| course.exercises[*i].topic == exercise.topic)
        .collect();
    let topic_done = topic_indices.iter().filter(|i| core.done()[**i]).count();
    let _ = writeln!(
        head,
        "{} {} {done}/{total} done · {} {topic_done}/{}",
        "threadlings".bold(),
        progress_bar(done, total, 24),
        exercise.topic,
        topic_indices.len()
    );
    let path = exercise.display_path(Side::Exercise);
    let link = hyperlink(&course.root.join(&path).display().to_string(), &path);
    let _ = writeln!(head, "{} {link}", exercise.name.bold().cyan());
    head
}

fn keys_line(screen: &Screen, checking: bool) -> &'static str {
    match screen {
        Screen::List { typing: true, .. } => "type to filter · Enter open · Esc done filtering",
        Screen::List { .. } => "↑/↓ or j/k move · / filter · Enter open · Esc back",
        Screen::ConfirmReset => "y reset · any other key cancels",
        Screen::Solution => "↑/↓ scroll · any other key: back · q quit",
        Screen::Check if checking => "q quit",
        Screen::Check => "any key: back · q quit",
        Screen::Exercise => KEYS,
    }
}

fn exercise_body(
    core: &Core,
    course: &Course,
    exercise: &Exercise,
    context: Context<'_>,
) -> String {
    let mut body = String::new();
    if core.finished() {
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
        return body;
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
        if let Some(test) = core.running().and_then(|run| run.test.as_deref()) {
            let _ = writeln!(
                body,
                "  running {}",
                crate::report::human::escape_controls(test).cyan()
            );
        }
        if let Some(building) = core.building() {
            let _ = writeln!(
                body,
                "  building {} (first time only): {}/{} {}",
                building.what,
                building.built,
                building.total,
                progress_bar(building.built, building.total, 20)
            );
        }
        if core.last().is_none()
            && let Some(lesson) = context.lesson
        {
            let _ = writeln!(body, "\n{}", lesson.trim_end());
        }
    } else if let Some(fault) = core.fault() {
        let _ = writeln!(
            body,
            "{} the grader could not grade this: {}",
            "error:".red().bold(),
            human::escape_controls(fault)
        );
    } else if let Some(graded) = core.last() {
        body.push_str(&human::graded_with(
            graded,
            exercise,
            &exercise.display_path(Side::Exercise),
            human::Words {
                command: context.command,
                keys: true,
            },
        ));
        if graded.verdict().passed() {
            if let Some(program) = core.program() {
                body.push('\n');
                body.push_str(&human::program_output(&exercise.name, program));
            }
            let _ = writeln!(
                body,
                "\n{}",
                "Press n for the next exercise, s to compare with the reference solution.".green()
            );
        }
    }
    body
}

fn list_body(
    core: &Core,
    course: &Course,
    filter: &str,
    cursor: usize,
    typing: bool,
    rows: usize,
) -> String {
    let mut body = String::new();
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
        let mark = if core.done()[*index] {
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
    body
}

/// The status of every exercise during a check of everything, in as many columns as the
/// width allows (a course rarely fits one column on a small terminal).
fn check_body(core: &Core, course: &Course, width: usize) -> String {
    let mut body = String::new();
    let finished = core
        .check()
        .iter()
        .filter(|status| **status != CheckStatus::Waiting)
        .count();
    let title = if core.checking() {
        format!("checking every exercise… {finished}/{}", core.check().len())
    } else {
        "check finished (any key to go back)".to_owned()
    };
    let _ = writeln!(body, "{}", title.bold());
    let cells: Vec<String> = course
        .exercises
        .iter()
        .zip(core.check())
        .map(|(exercise, status)| match status {
            CheckStatus::Waiting => format!("{} {}", "·".dimmed(), exercise.name),
            CheckStatus::Passed => format!("{} {}", "✓".green(), exercise.name),
            CheckStatus::Failed(verdict) => format!("{} {} ({verdict})", "✗".red(), exercise.name),
        })
        .collect();
    let cell_width = cells
        .iter()
        .map(|cell| measure_text_width(cell))
        .max()
        .unwrap_or(0)
        + 2;
    let columns = (width / cell_width.max(1)).max(1);
    let rows = cells.len().div_ceil(columns);
    for row in 0..rows {
        let mut line = String::new();
        for column in 0..columns {
            if let Some(cell) = cells.get(column * rows + row) {
                let pad = cell_width.saturating_sub(measure_text_width(cell));
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            }
        }
        let _ = writeln!(body, "{}", line.trim_end());
    }
    body
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

/// Every line of `text`, wrapped to `width`.
pub fn wrap_text(text: &str, width: usize) -> Vec<String> {
    text.lines().flat_map(|line| wrap(line, width)).collect()
}

/// One line wrapped at word boundaries to `width` columns (a word longer than a line is
/// cut); continuation rows keep the line's indentation. Escape sequences take no room
/// and stay with the word they touch.
pub fn wrap(line: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let line = line.replace('\t', "    ");
    if measure_text_width(&line) <= width {
        return vec![line];
    }
    let plain_indent = console::strip_ansi_codes(&line)
        .chars()
        .take_while(|c| *c == ' ')
        .count();
    let indent = if plain_indent * 2 < width {
        " ".repeat(plain_indent)
    } else {
        String::new()
    };

    // Words (with the escape sequences inside or around them) and the spaces between.
    let mut atoms: Vec<(String, bool)> = Vec::new();
    let mut word = String::new();
    for (piece, is_escape) in AnsiCodeIterator::new(&line) {
        if is_escape {
            word.push_str(piece);
            continue;
        }
        for c in piece.chars() {
            if c == ' ' {
                if !word.is_empty() {
                    atoms.push((std::mem::take(&mut word), false));
                }
                atoms.push((" ".to_owned(), true));
            } else {
                word.push(c);
            }
        }
    }
    if !word.is_empty() {
        atoms.push((word, false));
    }

    let mut rows = Vec::new();
    let mut row = String::new();
    let mut row_width = 0;
    let mut spaces = 0;
    let mut at_start = true;
    for (atom, is_space) in atoms {
        if is_space {
            spaces += 1;
            continue;
        }
        let atom_width = measure_text_width(&atom);
        if row_width + spaces + atom_width <= width {
            row.push_str(&" ".repeat(spaces));
            row_width += spaces;
        } else if !at_start {
            rows.push(std::mem::take(&mut row));
            row.push_str(&indent);
            row_width = indent.len();
        } else {
            // Leading spaces wider than the line: keep what fits.
            let keep = spaces.min(width.saturating_sub(row_width));
            row.push_str(&" ".repeat(keep));
            row_width += keep;
        }
        spaces = 0;
        at_start = false;
        if row_width + atom_width <= width {
            row.push_str(&atom);
            row_width += atom_width;
            continue;
        }
        // A word longer than the room: cut it, character by character.
        for (piece, is_escape) in AnsiCodeIterator::new(&atom) {
            if is_escape {
                row.push_str(piece);
                continue;
            }
            for c in piece.chars() {
                let mut buffer = [0; 4];
                let char_width = measure_text_width(c.encode_utf8(&mut buffer));
                if row_width + char_width > width && row_width > indent.len() {
                    rows.push(std::mem::take(&mut row));
                    row.push_str(&indent);
                    row_width = indent.len();
                }
                row.push(c);
                row_width += char_width;
            }
        }
    }
    rows.push(row);
    rows
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::time::{Duration, Instant};

    use super::*;
    use crate::course::{Mode, StubFailure};
    use crate::engine::Graded;
    use crate::verdict::{Judgement, TestOutcome, TestResult, Verdict};
    use crate::watch::session::Key;

    fn course() -> Course {
        let exercise = |name: &str, topic: &str, hints: &[&str]| Exercise {
            name: name.to_owned(),
            dir: format!("01_{topic}"),
            topic: topic.to_owned(),
            mode: Mode::Test,
            stub: StubFailure::TestFailed,
            hints: hints.iter().map(|hint| (*hint).to_owned()).collect(),
            timeout: Duration::from_secs(10),
            points: 1,
        };
        let mut exercises = vec![exercise(
            "scoped2",
            "scoped_threads",
            &[
                "Split the slice with `chunks_mut`: each worker gets a disjoint part, so the \
                 borrow checker lets every thread write at once.",
                "`thread::scope(|s| for chunk in data.chunks_mut(size) { s.spawn(move || \
                 ...); })` joins every worker before the scope returns.",
                "Almost the answer: compute `size = data.len().div_ceil(workers)`, then spawn \
                 one scoped thread per chunk that doubles each element in place.",
            ],
        )];
        for n in 1..=20 {
            exercises.push(exercise(
                &format!("threads{n}"),
                "threads",
                &["a nudge", "the API"],
            ));
        }
        Course::bare(PathBuf::from("/home/learner/threadlings"), exercises)
    }

    fn long_failure() -> Graded {
        let message = (1..=30)
            .map(|n| format!("line {n} of what the test printed: a value that did not match"))
            .collect::<Vec<_>>()
            .join("\n");
        Graded {
            exercise: "scoped2".to_owned(),
            side: Side::Exercise,
            judgement: Judgement {
                verdict: Verdict::TestFailed,
                tests: vec![
                    TestResult {
                        name: "tests::every_worker_writes_its_own_chunk".to_owned(),
                        outcome: TestOutcome::Failed,
                        message: Some(format!(
                            "thread 'tests::every_worker_writes_its_own_chunk' panicked at \
                             exercises/02_scoped_threads/scoped2.rs:88:9:\n{message}"
                        )),
                        model: None,
                        duration: None,
                    },
                    TestResult {
                        name: "tests::empty_input_is_fine".to_owned(),
                        outcome: TestOutcome::Passed,
                        message: None,
                        model: None,
                        duration: None,
                    },
                ],
            },
            stderr: None,
            notes: Vec::new(),
            content_hash: "a".to_owned(),
            duration: Duration::from_millis(1500),
        }
    }

    fn core(hints: usize) -> Core {
        let mut done = vec![false; 21];
        for slot in done.iter_mut().skip(1).take(5) {
            *slot = true;
        }
        let mut core = Core::new(
            course().exercises.iter().map(|e| e.name.clone()).collect(),
            vec![3; 21],
            done,
            false,
            Instant::now(),
        );
        core.set_last(Some(long_failure()));
        core.hints_known(hints);
        core
    }

    const CONTEXT: Context<'static> = Context {
        solution: None,
        lesson: None,
        command: "cargo threadlings",
    };

    fn render(core: &Core, context: Context<'_>, width: usize, height: usize) -> (String, Frame) {
        colored::control::set_override(false);
        let frame = frame(core, &course(), context, width, height);
        for line in &frame.lines {
            assert!(
                measure_text_width(line) <= width,
                "wider than {width}: {line:?}"
            );
        }
        assert!(frame.lines.len() <= height, "{} rows", frame.lines.len());
        let text = frame
            .lines
            .iter()
            .map(|line| console::strip_ansi_codes(line).trim_end().to_owned())
            .collect::<Vec<_>>()
            .join("\n");
        (text, frame)
    }

    #[test]
    fn a_long_verdict_scrolls_and_the_hints_and_keys_stay_at_80x24() {
        let (text, frame) = render(&core(3), CONTEXT, 80, 24);
        assert_eq!(frame.hints_visible, 3, "{text}");
        assert!(text.ends_with(KEYS), "{text}");
        insta::assert_snapshot!(text);
    }

    #[test]
    fn a_long_verdict_with_hints_at_120x40() {
        let (text, frame) = render(&core(3), CONTEXT, 120, 40);
        assert_eq!(frame.hints_visible, 3, "{text}");
        insta::assert_snapshot!(text);
    }

    #[test]
    fn scrolling_moves_the_verdict_and_stops_at_its_end() {
        let mut scrolled = core(1);
        scrolled.scroll_to(1000);
        let (text, frame) = render(&scrolled, CONTEXT, 80, 24);
        assert!(frame.max_scroll > 0);
        assert!(text.contains("line 30 of what the test printed"), "{text}");
        insta::assert_snapshot!(text);
    }

    #[test]
    fn a_tiny_screen_still_shows_the_keys_and_counts_only_hints_it_shows() {
        let (text, frame) = render(&core(3), CONTEXT, 40, 10);
        assert!(text.contains("q quit"), "{text}");
        assert!(frame.hints_visible <= 3);
        let (text, frame) = render(&core(3), CONTEXT, 30, 5);
        assert_eq!(frame.hints_visible, 0, "no room for any hint: {text}");
        assert!(text.ends_with("c check · q quit"), "{text}");
    }

    #[test]
    fn the_list_at_80x24_and_120x40() {
        let mut listing = core(0);
        listing.handle(Input::Key(Key::Char('l')), Instant::now());
        for _ in 0..15 {
            listing.handle(Input::Key(Key::Down), Instant::now());
        }
        let (small, _) = render(&listing, CONTEXT, 80, 24);
        insta::assert_snapshot!("list_80x24", small);
        let (large, _) = render(&listing, CONTEXT, 120, 40);
        insta::assert_snapshot!("list_120x40", large);
    }

    #[test]
    fn the_solution_scrolls_at_80x24_and_120x40() {
        let mut solving = core(0);
        solving.set_screen(Screen::Solution);
        let solution = (1..=60)
            .map(|n| {
                format!("    let value_{n} = compute({n}); // step {n} of the reference solution")
            })
            .collect::<Vec<_>>()
            .join("\n");
        let context = Context {
            solution: Some(&solution),
            ..CONTEXT
        };
        let (small, _) = render(&solving, context, 80, 24);
        insta::assert_snapshot!("solution_80x24", small);
        solving.scroll_to(50);
        let (large, _) = render(&solving, context, 120, 40);
        insta::assert_snapshot!("solution_120x40_scrolled", large);
    }

    #[test]
    fn the_first_start_shows_the_crates_being_built_and_the_lesson() {
        let mut first = core(0);
        first.set_last(None);
        first.handle(Input::Key(Key::Char('r')), Instant::now());
        first.set_building(Some(crate::watch::session::Building {
            what: "the course's crates",
            built: 14,
            total: 31,
        }));
        let lesson = "# Scoped threads\n\nSplit the work with `chunks_mut` and let each worker \
                      write its own part, all at the same time.";
        let context = Context {
            lesson: Some(lesson),
            ..CONTEXT
        };
        let (text, _) = render(&first, context, 80, 24);
        let text = text.replace(|c: char| c.is_ascii_digit(), "0");
        assert!(text.contains("first time only): 00/00"), "{text}");
        insta::assert_snapshot!(text);
    }

    #[test]
    fn a_check_shows_the_test_running_now_and_the_limit() {
        let mut running = core(0);
        running.set_last(None);
        running.handle(Input::Key(Key::Char('r')), Instant::now());
        let generation = running.running().unwrap().generation;
        running.handle(
            Input::TestStarted {
                generation,
                test: "tests::workers_run_at_the_same_time".to_owned(),
            },
            Instant::now(),
        );
        let (text, _) = render(&running, CONTEXT, 80, 24);
        assert!(
            text.contains("running tests::workers_run_at_the_same_time"),
            "{text}"
        );
        assert!(text.contains("(time limit "), "{text}");
    }

    #[test]
    fn advice_on_the_screen_names_keys_and_elsewhere_the_command_as_started() {
        let mut tampered = core(0);
        tampered.set_last(Some(Graded {
            judgement: Judgement {
                verdict: Verdict::Tampered {
                    findings: vec![crate::finding::Finding::Tests {
                        change: crate::tamper::Tampering::Removed {
                            item: "test `tests::first`".to_owned(),
                        },
                    }],
                },
                tests: Vec::new(),
            },
            ..long_failure()
        }));
        let (text, _) = render(&tampered, CONTEXT, 100, 30);
        assert!(
            text.contains("press x to restore the original file"),
            "{text}"
        );
        let printed = human::graded_with(
            tampered.last().unwrap(),
            &course().exercises[0],
            "exercises/01_scoped_threads/scoped2.rs",
            human::Words {
                command: "cargo threadlings",
                keys: false,
            },
        );
        assert!(
            printed.contains("`cargo threadlings reset scoped2` restores"),
            "{printed}"
        );
    }

    #[test]
    fn a_check_of_everything_fits_in_columns_at_80x24() {
        let mut checking = core(0);
        checking.handle(Input::Key(Key::Char('c')), Instant::now());
        for index in 0..12 {
            let verdict = if index % 5 == 3 {
                "test failed"
            } else {
                "pass"
            };
            checking.handle(
                Input::Checked {
                    index,
                    passed: verdict == "pass",
                    verdict: verdict.to_owned(),
                },
                Instant::now(),
            );
        }
        let (text, frame) = render(&checking, CONTEXT, 80, 24);
        assert_eq!(frame.max_scroll, 0, "no scrolling: {text}");
        assert!(text.contains("threads20"), "{text}");
        insta::assert_snapshot!(text);
    }

    #[test]
    fn wrapping_breaks_at_spaces_keeps_indentation_and_ignores_escapes() {
        colored::control::set_override(true);
        let line = format!(
            "    {} the quick brown fox jumps over the lazy dog",
            "hint:".cyan().bold()
        );
        colored::control::set_override(false);
        let rows = wrap(&line, 20);
        let plain: Vec<String> = rows
            .iter()
            .map(|row| console::strip_ansi_codes(row).into_owned())
            .collect();
        assert_eq!(
            plain,
            [
                "    hint: the quick",
                "    brown fox jumps",
                "    over the lazy",
                "    dog"
            ]
        );
        let link = format!(
            "{} tail",
            hyperlink("/a/very/long/absolute/path.rs", "p.rs")
        );
        assert_eq!(
            wrap(&link, 10),
            [link.as_str()],
            "the link's target takes no room"
        );
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
    }

    use crate::watch::session::Input;
}
