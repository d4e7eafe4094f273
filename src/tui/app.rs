//! The model: which screen is up (`Screen`), what floats over it (`Overlay`), and shared state.

use std::cell::Cell;
use std::collections::HashMap;

use ratatui::layout::Rect;

use super::catalog::Catalog;
use super::keymap::Context;
use super::screens::detail::DetailState;
use super::screens::form::FormState;
use super::screens::keys::KeysState;
use super::screens::result::ResultState;
use super::screens::unlock::UnlockState;
use super::textfield::TextField;
use super::timefmt::Zone;
use crate::kms::{KeyInfo, KeyState};

/// The screen under any overlay.
#[derive(Debug)]
pub enum Screen {
    Unlock(UnlockState),
    List(ListMode),
    Detail(DetailState),
    Form(Box<FormState>),
    Result(Box<ResultState>),
    Keys(KeysState),
}

/// Whether keys go to the table or to the filter input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListMode {
    Browse,
    Filter,
}

/// How much of the vault the list holds: the first page is drawn at once, the rest follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loaded {
    FirstPage,
    All,
}

/// A popup over the current screen.
#[derive(Debug)]
pub enum Overlay {
    Help {
        scroll: u16,
    },
    /// Leaving a dirty form: wipe it?
    Discard,
    /// Typing the alias of a new key.
    NewKey {
        alias: TextField,
        error: Option<String>,
    },
    /// Enabling or disabling a key.
    KeyState {
        key_id: String,
        alias: String,
        to: KeyState,
    },
}

/// How a status message reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Info,
    Success,
    Error,
}

/// The status line. Never holds a secret value.
#[derive(Clone, Debug)]
pub struct Status {
    pub text: String,
    pub tone: Tone,
}

/// Everything the view draws.
#[derive(Debug)]
pub struct App {
    pub screen: Screen,
    pub overlay: Option<Overlay>,
    pub catalog: Catalog,
    pub keys: Vec<KeyInfo>,
    /// Secrets per key id; `None` when the count failed (the keys screen shows `?`, not zeros).
    pub key_usage: Option<HashMap<String, i64>>,
    pub status: Option<Status>,
    /// The vault file, as shown in the header.
    pub vault_label: String,
    /// Rows of the list's window, known from the terminal size (for paging).
    pub page_rows: usize,
    pub quit: bool,
    pub loaded: Loaded,
    /// The time zone times are shown in (this machine's; tests pin UTC).
    pub zone: Zone,
    /// Shown while the runner performs a slow effect (unlock).
    pub busy: Option<&'static str>,
    /// The body area of the last frame drawn (the view records it): how far things scroll.
    pub body: Cell<Rect>,
}

impl App {
    /// A new app at the unlock (or create) screen.
    pub fn new(vault_label: String, unlock: UnlockState) -> Self {
        Self {
            screen: Screen::Unlock(unlock),
            overlay: None,
            catalog: Catalog::default(),
            keys: Vec::new(),
            key_usage: Some(HashMap::new()),
            status: None,
            vault_label,
            page_rows: 20,
            quit: false,
            busy: None,
            loaded: Loaded::All,
            zone: Zone::local(),
            body: Cell::new(Rect::default()),
        }
    }

    pub fn info(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            tone: Tone::Info,
        });
    }

    pub fn success(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            tone: Tone::Success,
        });
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            tone: Tone::Error,
        });
    }

    /// Where the keyboard is: the overlay's context, else the screen's.
    pub fn context(&self) -> Context {
        match &self.overlay {
            Some(Overlay::Help { .. }) => return Context::Help,
            Some(Overlay::Discard | Overlay::KeyState { .. }) => return Context::Confirm,
            Some(Overlay::NewKey { .. }) => return Context::KeyAlias,
            None => {}
        }
        match &self.screen {
            Screen::Unlock(_) => Context::Unlock,
            Screen::List(ListMode::Browse) => Context::List,
            Screen::List(ListMode::Filter) => Context::Filter,
            Screen::Detail(_) => Context::Detail,
            Screen::Form(form) => form.context(),
            Screen::Result(r) if r.status != 200 => Context::ResultError,
            Screen::Result(_) => Context::Result,
            Screen::Keys(_) => Context::Keys,
        }
    }
}
