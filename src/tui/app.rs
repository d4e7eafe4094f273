//! The model: the screen stack (the current `Screen` and those Back returns to), the popup over
//! it (a [`Dialog`]), and the state every screen shares. Only `update` writes into it.

use std::collections::HashMap;

use ratatui::layout::Size;

use super::catalog::Catalog;
use super::dialogs::Dialog;
use super::keymap::Context;
pub use super::screens::Screen;
pub use super::screens::list::ListMode;
use super::screens::unlock::UnlockState;
use super::screens::{Ctx, Fresh};
use super::timefmt::Zone;
use crate::csms::KeyInfo;
use crate::csms::op::Request;

/// How much of the vault the list holds: the first page is drawn at once, the rest follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loaded {
    /// The vault just opened: its first page is being read.
    Opening,
    FirstPage,
    All,
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

/// The terminal size assumed until the first resize (pages of 20 rows).
const FIRST_SIZE: Size = Size::new(80, 26);

/// Everything the view draws.
#[derive(Debug)]
pub struct App {
    /// The screen on top of the navigation stack.
    pub screen: Screen,
    /// The screens under it, the one Back returns to last.
    pub below: Vec<Screen>,
    /// The popup over the current screen, which takes the keys while it is open.
    pub overlay: Option<Dialog>,
    pub catalog: Catalog,
    pub keys: Vec<KeyInfo>,
    /// Secrets per key id; `None` when the count failed (the keys screen shows `?`, not zeros).
    pub key_usage: Option<HashMap<String, i64>>,
    pub status: Option<Status>,
    /// The vault file, as shown in the header.
    pub vault_label: String,
    /// The terminal's size, as last reported (an input: the view never writes it).
    pub size: Size,
    pub quit: bool,
    pub loaded: Loaded,
    /// Where reading the list goes on after its first page (the last name read).
    pub more: Option<String>,
    /// A fresh read of the list being built page by page; it takes the list's place once whole.
    pub incoming: Option<Catalog>,
    /// The time zone times are shown in (this machine's; tests pin UTC).
    pub zone: Zone,
    /// Shown while the runner performs a slow effect (unlock).
    pub busy: Option<&'static str>,
    /// Notification records not shown yet (the header says how many).
    pub unread: usize,
    /// Said on stderr when the app has ended and the terminal is restored (why it gave up, a
    /// problem found at start), so it can still be read.
    pub exit_note: Option<String>,
    /// The vault's clock (epoch ms) as of the message being handled: an input, set by the session.
    pub now_ms: i64,
}

impl App {
    /// A new app at the unlock (or create) screen.
    pub fn new(vault_label: String, unlock: UnlockState) -> Self {
        // A TZ that was ignored is said on the first screen (times are then in UTC).
        let (zone, tz_ignored) = Zone::local_checked();
        Self {
            screen: Screen::Unlock(unlock),
            below: Vec::new(),
            overlay: None,
            catalog: Catalog::default(),
            keys: Vec::new(),
            key_usage: Some(HashMap::new()),
            status: tz_ignored.map(|text| Status {
                text,
                tone: Tone::Error,
            }),
            vault_label,
            size: FIRST_SIZE,
            quit: false,
            busy: None,
            unread: 0,
            now_ms: 0,
            exit_note: None,
            loaded: Loaded::All,
            more: None,
            incoming: None,
            zone,
        }
    }

    pub(super) fn say(&mut self, tone: Tone, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            tone,
        });
    }

    pub(super) fn success(&mut self, text: impl Into<String>) {
        self.say(Tone::Success, text);
    }

    pub(super) fn error(&mut self, text: impl Into<String>) {
        self.say(Tone::Error, text);
    }

    /// Opens `screen` over the current one.
    pub(super) fn push(&mut self, screen: Screen) {
        let under = std::mem::replace(&mut self.screen, screen);
        self.below.push(under);
    }

    /// Puts `screen` in the current one's place.
    pub(super) fn replace(&mut self, screen: Screen) {
        self.screen = screen;
    }

    /// Back to the screen the current one was opened from; the bottom screen stays.
    pub(super) fn back(&mut self) {
        if let Some(under) = self.below.pop() {
            self.screen = under;
        }
    }

    /// `screen` alone on the stack.
    pub(super) fn reset(&mut self, screen: Screen) {
        self.below.clear();
        self.screen = screen;
    }

    /// What the vault just said, to every screen in the stack that shows it (the one place
    /// screens under the top are refreshed).
    pub(super) fn refresh(&mut self, fresh: &Fresh<'_>) {
        for screen in std::iter::once(&mut self.screen).chain(&mut self.below) {
            screen.refresh(fresh);
        }
    }

    /// What to read again when the vault changed (by this app or another process): the keys
    /// and every secret (the list), and what each screen in the stack shows (each once).
    pub(super) fn rereads(&self) -> Vec<Request> {
        let mut reads = vec![
            Request::ListKeys,
            // Every secret again, page by page, with their tags.
            Request::ListSecretSummaries {
                marker: None,
                limit: None,
            },
            Request::UnreadNotifications,
        ];
        for screen in std::iter::once(&self.screen).chain(&self.below) {
            for read in screen.reads() {
                if !reads.iter().any(|r| same_read(r, &read)) {
                    reads.push(read);
                }
            }
        }
        reads
    }

    /// What the screens may read while drawing.
    pub fn ctx(&self) -> Ctx<'_> {
        Ctx {
            catalog: &self.catalog,
            keys: &self.keys,
            key_usage: self.key_usage.as_ref(),
            zone: &self.zone,
            loaded: self.loaded,
            vault_label: &self.vault_label,
        }
    }

    /// Where the keyboard is: the overlay's context, else the screen's.
    pub fn context(&self) -> Context {
        match &self.overlay {
            Some(dialog) => dialog.context(),
            None => self.screen.context(),
        }
    }
}

/// Whether two of the screens' reads ask the same.
fn same_read(a: &Request, b: &Request) -> bool {
    match (a, b) {
        (Request::ShowSecretDetail { name: x }, Request::ShowSecretDetail { name: y })
        | (Request::SecretNameExists { name: x }, Request::SecretNameExists { name: y }) => x == y,
        (Request::ListKeys, Request::ListKeys)
        | (Request::ListAllSecrets, Request::ListAllSecrets)
        | (Request::ListSecretSummaries { .. }, Request::ListSecretSummaries { .. })
        | (Request::ListAllTags, Request::ListAllTags)
        | (Request::ListKeyChoices, Request::ListKeyChoices)
        | (Request::KeyUsage, Request::KeyUsage)
        | (Request::ListSecretEvents { .. }, Request::ListSecretEvents { .. })
        | (Request::ListNotificationRecords { .. }, Request::ListNotificationRecords { .. })
        | (Request::UnreadNotifications, Request::UnreadNotifications)
        // Checks (issue 14).
        | (Request::ShowSecretsConfig, Request::ShowSecretsConfig) => true,
        _ => false,
    }
}
