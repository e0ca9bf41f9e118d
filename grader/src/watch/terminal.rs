//! Input: the thread that turns key presses (or, without a terminal, lines on stdin) into
//! loop inputs. (The screen itself, raw mode included, is the reporter's.)

use std::io::{self, BufRead};
use std::sync::mpsc::Sender;
use std::thread;

use crossterm::event::{self, Event as TermEvent, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::session::Key;

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
/// terminal: scripts and editors can drive the loop this way. The end of stdin is
/// `closed` (the loop ends after the current check: a CI job never hangs).
pub fn read_lines<E: Send + 'static>(events: Sender<E>, key: fn(Key) -> E, closed: fn() -> E) {
    thread::spawn(move || {
        for line in io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if let Some(first) = line.trim().chars().next()
                && events.send(key(Key::Char(first))).is_err()
            {
                return;
            }
        }
        let _ = events.send(closed());
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
        KeyCode::PageUp => Key::PageUp,
        KeyCode::PageDown => Key::PageDown,
        _ => return None,
    })
}
