//! The dialogs of a secret's lifecycle, over the detail screen or the list: a text field checked
//! as you type ([`field`]), a list of choices ([`pick`]), or a yes/no question. Each confirms into
//! one lifecycle effect; Esc cancels. `update` routes keys here while one is open.

pub mod field;
pub mod pick;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::tui::action::{Action, Effect};
use crate::tui::catalog::Catalog;
use crate::tui::keymap::Context;

pub use field::{FieldDialog, FieldKind};
pub use pick::{PickDialog, PickKind};

/// A dialog over the current screen.
#[derive(Debug)]
pub enum Dialog {
    Field(FieldDialog),
    Pick(PickDialog),
    /// Disable (`enable: false`) or enable the secret `name`?
    Toggle {
        name: String,
        enable: bool,
    },
}

/// What a key in a dialog leads to.
#[derive(Debug)]
pub enum Step {
    /// The dialog stays as it is (or as the key changed it).
    Stay,
    /// The dialog closes, nothing done.
    Close,
    /// The effect runs; `keep`: the dialog stays until its answer (a file that cannot be
    /// written or read is said there, for another try).
    Run { effect: Effect, keep: bool },
}

impl Dialog {
    /// Where the keyboard is while this dialog is open.
    pub fn context(&self) -> Context {
        match self {
            Self::Field(_) => Context::DialogField,
            Self::Pick(_) => Context::DialogPick,
            Self::Toggle { .. } => Context::Confirm,
        }
    }

    pub fn update(&mut self, action: Action, catalog: &mut Catalog) -> Step {
        match self {
            Self::Field(d) => d.update(action),
            Self::Pick(d) => d.update(action, catalog),
            Self::Toggle { name, enable } => match action {
                Action::Yes => Step::Run {
                    effect: Effect::Lifecycle(crate::tui::ops::Op::SetEnabled {
                        name: name.clone(),
                        enabled: *enable,
                    }),
                    keep: false,
                },
                Action::No | Action::Back => Step::Close,
                _ => Step::Stay,
            },
        }
    }

    /// Pasted text, into the field (the first line only; `update` cut it already).
    pub fn paste(&mut self, text: &str) {
        if let Self::Field(d) = self {
            d.paste(text);
        }
    }

    /// Says why the last try failed (a file that could not be written or read).
    pub fn set_error(&mut self, why: String) {
        if let Self::Field(d) = self {
            d.error = Some(why);
        }
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer) {
        match self {
            Self::Field(d) => d.render(area, buf),
            Self::Pick(d) => d.render(area, buf),
            Self::Toggle { name, enable } => field::render_toggle(name, *enable, area, buf),
        }
    }
}
