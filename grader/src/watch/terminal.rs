//! The terminal: raw mode and the alternate screen while the loop runs, restored on quit,
//! on Ctrl-C and on panic; and the thread that turns key presses (or, without a terminal,
//! lines on stdin) into loop inputs.

use std::io::{self, BufRead, Write};
use std::sync::mpsc::Sender;
use std::thread;

use crossterm::event::{self, Event as TermEvent, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use crossterm::{cursor, execute, terminal};

use super::core::Key;

/// Puts the terminal back as it was when dropped.
pub struct RawTerminal {
    _private: (),
}

impl RawTerminal {
    /// Enters raw mode and the alternate screen, and makes sure a panic leaves them.
    pub fn enter() -> io::Result<RawTerminal> {
        terminal::enable_raw_mode()?;
        execute!(io::stdout(), terminal::EnterAlternateScreen, cursor::Hide)?;
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
        Ok(RawTerminal { _private: () })
    }
}

impl Drop for RawTerminal {
    fn drop(&mut self) {
        restore();
    }
}

fn restore() {
    let _ = execute!(io::stdout(), cursor::Show, terminal::LeaveAlternateScreen);
    let _ = terminal::disable_raw_mode();
    let _ = io::stdout().flush();
}

/// Reads keys from the terminal until the loop stops listening.
pub fn read_keys<E: Send + 'static>(events: Sender<E>, key: fn(Key) -> E, resized: fn() -> E) {
    thread::spawn(move || {
        while let Ok(event) = event::read() {
            let sent = match event {
                TermEvent::Key(press) if press.kind != KeyEventKind::Release => {
                    match translate(press) {
                        Some(pressed) => events.send(key(pressed)),
                        None => Ok(()),
                    }
                }
                TermEvent::Resize(..) => events.send(resized()),
                _ => Ok(()),
            };
            if sent.is_err() {
                break;
            }
        }
    });
}

/// Reads commands from stdin, one per line (`r`, `n`, `h`, `q`, ...), when there is no
/// terminal: scripts and editors can drive the loop this way.
pub fn read_lines<E: Send + 'static>(events: Sender<E>, key: fn(Key) -> E) {
    thread::spawn(move || {
        for line in io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if let Some(first) = line.trim().chars().next()
                && events.send(key(Key::Char(first))).is_err()
            {
                break;
            }
        }
    });
}

fn translate(press: KeyEvent) -> Option<Key> {
    if press.modifiers.contains(KeyModifiers::CONTROL)
        && matches!(press.code, KeyCode::Char('c' | 'd'))
    {
        return Some(Key::Interrupt);
    }
    Some(match press.code {
        KeyCode::Char(c) => Key::Char(c),
        KeyCode::Up => Key::Up,
        KeyCode::Down => Key::Down,
        KeyCode::Enter => Key::Enter,
        KeyCode::Esc => Key::Escape,
        KeyCode::Backspace => Key::Backspace,
        _ => return None,
    })
}
