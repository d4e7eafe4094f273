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
pub mod display;
pub mod effects;
pub mod keymap;
pub mod msg;
pub mod password;
pub mod screens;
pub mod session;
pub mod signals;
pub mod terminal;
pub mod text;
pub mod textfield;
pub mod theme;
pub mod timefmt;
pub mod update;
pub mod view;
pub mod widgets;

pub use action::{Action, Effect};
pub use app::App;
pub use msg::Msg;
pub use session::Session;
pub use terminal::{has_terminal, run};
