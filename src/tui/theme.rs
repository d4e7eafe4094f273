//! Every colour and style of the terminal app.

use ratatui::style::{Color, Modifier, Style};

use crate::csms::KeyState;
use crate::csms::SecretState;

pub fn header() -> Style {
    Style::new().fg(Color::Black).bg(Color::Cyan)
}

pub fn title() -> Style {
    Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}

pub fn border() -> Style {
    Style::new().fg(Color::DarkGray)
}

pub fn focused_border() -> Style {
    Style::new().fg(Color::Cyan)
}

pub fn label() -> Style {
    Style::new().fg(Color::Gray)
}

pub fn focused_label() -> Style {
    Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}

pub fn input() -> Style {
    Style::new().fg(Color::White).bg(Color::Rgb(40, 40, 48))
}

pub fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

pub fn danger() -> Style {
    Style::new().fg(Color::LightRed)
}

pub fn success() -> Style {
    Style::new().fg(Color::LightGreen)
}

pub fn warning() -> Style {
    Style::new().fg(Color::Yellow)
}

pub fn selected() -> Style {
    Style::new()
        .bg(Color::Rgb(50, 60, 90))
        .add_modifier(Modifier::BOLD)
}

/// The characters of a name or description that the list's filter matched.
pub fn matched() -> Style {
    Style::new()
        .fg(Color::LightYellow)
        .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
}

pub fn table_header() -> Style {
    Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}

pub fn footer_key() -> Style {
    Style::new().fg(Color::Black).bg(Color::Gray)
}

pub fn footer_text() -> Style {
    Style::new().fg(Color::Gray)
}

pub fn button() -> Style {
    Style::new().fg(Color::Gray)
}

pub fn focused_button() -> Style {
    Style::new()
        .fg(Color::Black)
        .bg(Color::Cyan)
        .add_modifier(Modifier::BOLD)
}

pub fn json() -> Style {
    Style::new().fg(Color::White)
}

pub fn secret_state(state: SecretState) -> Style {
    match state {
        SecretState::Enabled => Style::new().fg(Color::LightGreen),
        SecretState::Disabled => Style::new().fg(Color::Yellow),
        SecretState::PendingDelete => Style::new().fg(Color::LightRed),
        SecretState::Frozen => Style::new().fg(Color::LightBlue),
    }
}

pub fn key_state(state: KeyState) -> Style {
    match state {
        KeyState::Enabled => Style::new().fg(Color::LightGreen),
        KeyState::Disabled => Style::new().fg(Color::Yellow),
    }
}

/// A hidden character shown escaped (`⟨U+202E⟩`): visibly not part of the text.
pub fn escaped() -> Style {
    Style::new()
        .fg(Color::DarkGray)
        .add_modifier(Modifier::ITALIC)
}
