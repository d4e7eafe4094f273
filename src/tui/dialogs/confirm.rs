//! Yes/no questions: leaving a form that would lose what was typed, replacing a typed value with
//! a generated password, enabling or disabling a
//! key, disabling or enabling a secret, rotating a secret now.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::Step;
use crate::csms::KeyState;
use crate::csms::op::Request;
use crate::tui::action::{Action, Effect};
use crate::tui::text::{confirm as ct, events as et, form as ft, lifecycle as lt, rotation as rt};
use crate::tui::widgets::popup;
use crate::tui::{display, theme};

/// What is asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirm {
    /// Leaving a dirty form: wipe it?
    Discard,
    /// `Ctrl+G` over a typed or pasted value: replace it with a generated password?
    Regenerate,
    /// A new version's expiry, `at` (as shown), is already past: create it anyway?
    PastExpiry { at: String },
    /// Enabling or disabling a key.
    KeyState {
        key_id: String,
        alias: String,
        to: KeyState,
        /// How many secrets use the key (`None` when they could not be counted).
        users: Option<i64>,
    },
    /// Disable (`enable: false`) or enable the secret `name`?
    Toggle { name: String, enable: bool },
    /// Rotate the secret `name` now?
    Rotate { name: String },
    /// Delete the event `name` (issue 14)?
    DeleteEvent { name: String },
}

impl Confirm {
    pub fn update(&self, action: Action) -> Step {
        match action {
            Action::Yes => match self {
                Self::Discard => Step::Leave,
                Self::Regenerate => Step::Answer(Action::GenerateOver),
                Self::PastExpiry { .. } => Step::Answer(Action::SubmitPastExpiry),
                Self::KeyState { key_id, to, .. } => Step::Run {
                    effect: Effect::vault(Request::SetKeyState {
                        key: key_id.clone(),
                        state: *to,
                    }),
                    keep: false,
                },
                Self::Toggle { name, enable } => Step::Run {
                    effect: Effect::vault(Request::SetSecretEnabled {
                        name: name.clone(),
                        enabled: *enable,
                    }),
                    keep: false,
                },
                Self::Rotate { name } => Step::Run {
                    effect: Effect::vault(Request::RotateSecret { name: name.clone() }),
                    keep: false,
                },
                Self::DeleteEvent { name } => Step::Run {
                    effect: Effect::vault(Request::DeleteSecretEvent { name: name.clone() }),
                    keep: false,
                },
            },
            Action::No | Action::Back => Step::Close,
            _ => Step::Stay,
        }
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer) {
        let (width, height, title, question, note) = match self {
            Self::Discard => (56, 5, ct::TITLE, ft::DISCARD.to_owned(), None),
            Self::PastExpiry { at } => (
                60,
                6,
                ct::TITLE,
                format!("{} {at}.", ft::EXPIRY_PAST),
                Some(ft::EXPIRY_PAST_NOTE),
            ),
            Self::Regenerate => (
                56,
                7,
                ct::TITLE,
                ft::REGENERATE.to_owned(),
                Some(ft::REGENERATE_NOTE),
            ),
            Self::KeyState {
                alias, to, users, ..
            } => {
                let question = match to {
                    KeyState::Enabled => format!("{} {alias}?", ct::ENABLE),
                    KeyState::Disabled => ct::disable_question(alias, *users),
                };
                let note = (*to == KeyState::Disabled).then_some(ct::DISABLE_NOTE);
                (56, 7, ct::TITLE, question, note)
            }
            Self::Toggle { name, enable } => {
                let verb = if *enable { lt::ENABLE } else { lt::DISABLE };
                let note = (!enable).then_some(lt::DISABLE_NOTE);
                (60, 7, lt::TOGGLE_TITLE, format!("{verb} {name}?"), note)
            }
            Self::Rotate { name } => (
                60,
                7,
                rt::TITLE,
                format!("{} {name}?", rt::ROTATE),
                Some(rt::NOTE),
            ),
            Self::DeleteEvent { name } => (
                56,
                7,
                et::DELETE_TITLE,
                format!("{} {name}?", et::DELETE_QUESTION),
                Some(et::DELETE_NOTE),
            ),
        };
        let inner = popup(area, width, height, title, buf);
        let mut lines = vec![Line::from(display::spans(&question, Style::new()))];
        if let Some(note) = note {
            lines.push(Line::styled(note, theme::dim()));
        }
        lines.push(Line::default());
        lines.push(Line::styled(ct::YES_NO, theme::dim()));
        Paragraph::new(lines)
            .wrap(Wrap { trim: true })
            .render(inner, buf);
    }
}
