//! The terminal app: model/update/view over the vault.
//!
//! Key events become [`Action`]s through the keymap table ([`keymap`]); [`update`] changes the
//! model ([`App`]) and may ask for one [`Effect`]; the [`Session`] performs effects against the
//! vault and the clipboard, and their outcomes come back into [`update`] as [`Msg`]s;
//! [`view::render`] draws the model. [`run`] wires it to the terminal.

pub mod action;
pub mod app;
pub mod catalog;
pub mod dialogs;
pub(crate) mod display;
pub(crate) mod effects;
pub mod keymap;
pub mod msg;
pub(crate) mod password;
pub mod screens;
pub mod session;
pub(crate) mod signals;
pub mod sync;
pub(crate) mod terminal;
pub mod text;
pub(crate) mod textfield;
pub mod theme;
/// Times for people: shared with the command line, which takes the same date forms.
pub use crate::timefmt;
pub mod update;
pub mod view;
pub(crate) mod widgets;

pub use action::{Action, Effect};
pub use app::App;
pub use msg::Msg;
pub use session::Session;
pub use terminal::{has_terminal, run};
