//! The popups over a screen, one system: the help ([`Dialog::Help`]), a yes/no question
//! ([`confirm`]), a text field checked as you type ([`field`]), a list of choices ([`pick`]),
//! a tag's key and value ([`tag`]), a sync with a remote ([`sync`]).
//! Screens open one through `Cx::open`; while one is open, `update` gives it every key, and it
//! answers with a [`Step`]: stay, close, leave the screen under it, or run an effect.

pub mod confirm;
pub mod field;
pub mod pick;
pub mod sync;
pub mod tag;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::tui::action::{Action, Effect};
use crate::tui::catalog::Catalog;
use crate::tui::keymap::Context;
use crate::tui::screens::help;

pub use confirm::Confirm;
pub use field::{FieldDialog, FieldKind};
pub use pick::{PickDialog, PickKind};
pub use sync::SyncDialog;
pub use tag::TagDialog;

/// A popup over the current screen.
#[derive(Debug)]
pub enum Dialog {
    /// Every key binding, scrolled to `scroll`.
    Help {
        scroll: u16,
    },
    Confirm(Confirm),
    Field(FieldDialog),
    Pick(PickDialog),
    /// A tag's key and value (issue 14).
    Tag(TagDialog),
    /// A sync with a remote: the plan, then its outcomes (issue 17).
    Sync(SyncDialog),
}

/// What a key in a dialog leads to.
#[derive(Debug)]
pub enum Step {
    /// The dialog stays as it is (or as the key changed it).
    Stay,
    /// The dialog closes, nothing done.
    Close,
    /// The dialog closes and the screen under it is left (Back).
    Leave,
    /// The dialog closes and the action goes to the screen under it (what it asked about).
    Answer(Action),
    /// The effect runs; `keep`: the dialog stays until its answer (why it failed is said
    /// there, for another try).
    Run { effect: Effect, keep: bool },
}

impl Dialog {
    /// Where the keyboard is while this dialog is open.
    pub fn context(&self) -> Context {
        match self {
            Self::Help { .. } => Context::Help,
            Self::Confirm(_) => Context::Confirm,
            Self::Field(d) => d.context(),
            Self::Pick(_) => Context::DialogPick,
            Self::Tag(_) => Context::DialogTag,
            Self::Sync(d) => d.context(),
        }
    }

    /// A key while the dialog is open; `body` is where screens draw (how far the help scrolls).
    pub fn update(&mut self, action: Action, catalog: &mut Catalog, body: Rect) -> Step {
        match self {
            Self::Help { scroll } => match action {
                Action::Back | Action::Help => Step::Close,
                Action::Up
                | Action::Down
                | Action::PageUp
                | Action::PageDown
                | Action::Top
                | Action::Bottom => {
                    *scroll = help::scrolled(*scroll, action, body);
                    Step::Stay
                }
                _ => Step::Stay,
            },
            Self::Confirm(d) => d.update(action),
            Self::Field(d) => d.update(action),
            Self::Pick(d) => d.update(action, catalog),
            Self::Tag(d) => d.update(action),
            Self::Sync(d) => d.update(action),
        }
    }

    /// Pasted text, into the field (the first line only; `update` cut it already).
    pub fn paste(&mut self, text: &str) {
        match self {
            Self::Field(d) => d.paste(text),
            Self::Tag(d) => d.paste(text),
            _ => {}
        }
    }

    /// Says why the last try failed (a file that could not be written or read, the vault's
    /// objection).
    pub fn set_error(&mut self, why: String) {
        match self {
            Self::Field(d) => d.error = Some(why),
            Self::Tag(d) => d.error = Some(why),
            _ => {}
        }
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer) {
        match self {
            Self::Help { scroll } => help::render(*scroll, area, buf),
            Self::Confirm(d) => d.render(area, buf),
            Self::Field(d) => d.render(area, buf),
            Self::Pick(d) => d.render(area, buf),
            Self::Tag(d) => d.render(area, buf),
            Self::Sync(d) => d.render(area, buf),
        }
    }
}
