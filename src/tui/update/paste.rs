//! A paste (bracketed paste) goes into the focused text field as text, never as keys: the
//! multi-line value keeps its line breaks; a single-line field keeps the first line and the
//! status line says the rest was dropped.

use zeroize::Zeroizing;

use crate::tui::action::Effect;
use crate::tui::app::{App, ListMode, Screen, Tone};
use crate::tui::screens::{edit_form, form, list, unlock, version_form};
use crate::tui::text::status as st;

pub(super) fn paste(app: &mut App, text: &str) -> Option<Effect> {
    if !app.context().accepts_text() {
        app.say(Tone::Info, st::PASTE_NOWHERE);
        return None;
    }
    let multiline = app.overlay.is_none()
        && match &app.screen {
            Screen::Form(f) => form::multiline_focus(f),
            Screen::VersionForm(f) => version_form::multiline_focus(f),
            _ => false,
        };
    let text = if multiline {
        line_breaks_as_newlines(text)
    } else {
        let (line, dropped) = first_line(text);
        if dropped {
            app.say(Tone::Info, st::PASTE_FIRST_LINE);
        } else {
            app.status = None;
        }
        Zeroizing::new(line.to_owned())
    };
    if let Some(dialog) = &mut app.overlay {
        dialog.paste(&text);
        return None;
    }
    match &mut app.screen {
        Screen::Unlock(state) => unlock::paste(state, &text),
        Screen::List(ListMode::Filter) => {
            let query = format!("{}{}", app.catalog.query(), text.as_str());
            app.catalog.set_query(&query);
            app.catalog.settle(list::page_rows(app.size));
        }
        Screen::Form(state) => return form::paste(state, &text),
        Screen::VersionForm(state) => return version_form::paste(state, &text),
        Screen::EditForm(state) => edit_form::paste(state, &text),
        Screen::EventForm(state) => crate::tui::screens::event_form::paste(state, &text),
        _ => {}
    }
    None
}

/// Terminals send a pasted line break as CR (or CR LF): each becomes one `\n`.
fn line_breaks_as_newlines(text: &str) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(text.len()));
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            chars.next_if_eq(&'\n');
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    out
}

/// The text up to its first line break, and whether anything but line breaks came after it.
fn first_line(text: &str) -> (&str, bool) {
    match text.find(['\r', '\n']) {
        Some(at) => (
            &text[..at],
            text[at..].chars().any(|c| c != '\r' && c != '\n'),
        ),
        None => (text, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_become_newlines_and_single_lines_are_cut() {
        assert_eq!(
            line_breaks_as_newlines("a\r\nb\rc\nd").as_str(),
            "a\nb\nc\nd"
        );
        assert_eq!(first_line("one\r\ntwo"), ("one", true));
        assert_eq!(first_line("one\n"), ("one", false));
        assert_eq!(first_line("one"), ("one", false));
    }
}
