//! The watch screen on the terminal: entering and leaving raw mode and the alternate
//! screen, and drawing lines laid out elsewhere (`watch::view`, pure and snapshot-tested).
//! The only code that writes terminal control sequences.

use std::io::{self, Write};

use crossterm::{cursor, execute, queue, terminal};

/// While it lives, the terminal is in raw mode on the alternate screen; dropping it (on
/// quit, Ctrl-C or a panic) puts the terminal back as it was.
#[derive(Debug)]
pub struct RawScreen {
    _private: (),
}

impl RawScreen {
    /// Enters raw mode and the alternate screen, and makes sure a panic leaves them.
    pub fn enter() -> io::Result<RawScreen> {
        terminal::enable_raw_mode()?;
        execute!(io::stdout(), terminal::EnterAlternateScreen, cursor::Hide)?;
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            leave_screen();
            previous(info);
        }));
        Ok(RawScreen { _private: () })
    }
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

/// The terminal's size in columns and rows (a usual size when it cannot say).
pub fn size() -> (usize, usize) {
    let (width, height) = terminal::size().unwrap_or((100, 30));
    (usize::from(width), usize::from(height))
}

/// Draws `lines` over the whole screen, from the top left.
pub fn draw(lines: &[String]) {
    let mut stdout = io::stdout().lock();
    let _ = queue!(stdout, cursor::MoveTo(0, 0));
    for (row, line) in lines.iter().enumerate() {
        if row > 0 {
            // Raw mode: a line feed does not return the carriage.
            let _ = stdout.write_all(b"\r\n");
        }
        let _ = stdout.write_all(line.as_bytes());
        let _ = queue!(
            stdout,
            crossterm::style::ResetColor,
            terminal::Clear(terminal::ClearType::UntilNewLine)
        );
    }
    let _ = queue!(stdout, terminal::Clear(terminal::ClearType::FromCursorDown));
    let _ = stdout.flush();
}
