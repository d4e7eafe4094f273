//! One module per screen, each the same shape: a state, `update(&mut state, action, &mut Cx)`
//! returning the effect it asks for, and `render(&state, &Ctx, area, buf)`. [`Screen`] routes to
//! them; what a screen may read of the rest of the model is in [`Ctx`] (drawing) and [`Cx`]
//! (updating), and what it wants done beyond its own state it asks of `update` through [`Cx`].

use std::collections::HashMap;

use ratatui::buffer::Buffer;
use ratatui::layout::{Rect, Size};

use super::action::{Action, Effect};
use super::app::{Loaded, Status, Tone};
use super::catalog::Catalog;
use super::dialogs::Dialog;
use super::keymap::Context;
use super::timefmt::Zone;
use crate::csms::op::Request;
use crate::csms::{ApiError, Event, KeyChoice, KeyInfo, NotificationRecord, validate_name};
use crate::vault::SecretDetail;

pub mod detail;
pub mod form;
pub(crate) mod form_view;
pub mod help;
pub(crate) mod keys;
pub(crate) mod list;
pub mod result;
pub mod unlock;

// The new-version and edit forms, and the parts they share with the create form.
pub mod edit_form;
pub mod edit_rotation;
pub(crate) mod field_rows;
pub(crate) mod key_picker;
pub mod value_input;
pub mod version_form;
pub(crate) mod version_form_view;

// Events and notification records (issue 14).
pub mod event_form;
pub mod events;
pub mod records;
// Checks and the health report (issue 14).
pub mod report;

use detail::DetailState;
use form::FormState;
use keys::KeysState;
use list::ListMode;
use result::ResultState;
use unlock::UnlockState;

use edit_form::EditFormState;
use version_form::VersionFormState;

use crate::csms::{HealthReport, SecretsConfig};
use event_form::EventFormState;
use events::EventsState;
use records::RecordsState;
use report::ReportState;

/// A screen and its state. The current one is `App::screen`; those it was opened from wait
/// under it, and Back returns to them.
#[derive(Debug)]
pub enum Screen {
    Unlock(UnlockState),
    List(ListMode),
    Detail(Box<DetailState>),
    Form(Box<FormState>),
    Result(Box<ResultState>),
    Keys(KeysState),

    // The new-version and edit forms (opened from the detail screen).
    VersionForm(Box<VersionFormState>),
    EditForm(Box<EditFormState>),

    // Events and notification records (issue 14).
    Events(EventsState),
    EventForm(Box<EventFormState>),
    Records(RecordsState),
    // Checks and the health report (issue 14).
    Report(Box<ReportState>),
}

/// What drawing a screen may read besides its own state.
pub struct Ctx<'a> {
    pub catalog: &'a Catalog,
    pub keys: &'a [KeyInfo],
    /// Secrets per key id; `None` when the count failed.
    pub key_usage: Option<&'a HashMap<String, i64>>,
    pub zone: &'a Zone,
    pub loaded: Loaded,
    pub vault_label: &'a str,
}

/// What the vault just said that screens may show, wherever they are in the stack:
/// [`App::refresh`](super::app::App::refresh) hands it to each of them through
/// [`Screen::refresh`].
#[derive(Clone, Copy, Debug)]
pub enum Fresh<'a> {
    /// The keys, read again.
    Keys(&'a [KeyInfo]),
    /// The keys a new secret or an update may name (the pickers' choices).
    KeyChoices(&'a [KeyChoice]),
    /// The secret `name` read again, or why it could not be.
    Detail {
        name: &'a str,
        result: &'a Result<SecretDetail, ApiError>,
    },
    /// Whether the name `name` is taken (the create form's duplicate check).
    NameTaken { name: &'a str, taken: bool },
    /// The events, read again.
    Events(&'a [Event]),
    /// The newest notification records, read again.
    Records(&'a [NotificationRecord]),
    // Checks and the health report (issue 14).
    /// The vault's strength-warning setting (the value forms' live warning, the report).
    SecretsConfig(SecretsConfig),
    /// The health report, or why it could not be made.
    Report(&'a Result<HealthReport, ApiError>),
}

/// What a screen wants done besides changing its own state.
#[derive(Debug)]
pub enum Nav {
    /// Open a screen over this one; Back returns here.
    Push(Screen),
    /// Put another screen in this one's place (Back then skips this one).
    Replace(Screen),
    /// Return to the screen this one was opened from, selecting `select` in the list.
    Back { select: Option<String> },
}

/// What updating a screen may read and change besides its own state, and what it asks for.
pub struct Cx<'a> {
    /// The list's rows, filter, sort and selection.
    pub catalog: &'a mut Catalog,
    pub keys: &'a [KeyInfo],
    pub zone: &'a Zone,
    /// The terminal's size, from the last resize: what scrolls and pages goes by it.
    pub size: Size,
    /// How many notification records are unread (the header's count).
    pub unread: usize,
    /// The vault's clock, epoch ms, when the message came (an expiry typed is checked against it).
    pub now_ms: i64,
    /// Secrets per key id, as last counted (`None`: the count failed).
    pub key_usage: Option<&'a HashMap<String, i64>>,
    /// The vault file as the header shows it (where a whole-vault backup goes by default).
    pub vault_label: &'a str,
    nav: Option<Nav>,
    overlay: Option<Dialog>,
    status: Option<Status>,
}

/// What a screen asked of `update`: navigation, a popup, a status line.
pub struct Asks {
    pub nav: Option<Nav>,
    pub overlay: Option<Dialog>,
    pub status: Option<Status>,
}

impl<'a> Cx<'a> {
    pub fn new(catalog: &'a mut Catalog, keys: &'a [KeyInfo], zone: &'a Zone, size: Size) -> Self {
        Self {
            catalog,
            keys,
            zone,
            size,
            unread: 0,
            now_ms: 0,
            key_usage: None,
            vault_label: "",
            nav: None,
            overlay: None,
            status: None,
        }
    }

    pub fn push(&mut self, screen: Screen) {
        self.nav = Some(Nav::Push(screen));
    }

    pub fn replace(&mut self, screen: Screen) {
        self.nav = Some(Nav::Replace(screen));
    }

    pub fn back(&mut self) {
        self.nav = Some(Nav::Back { select: None });
    }

    pub fn back_selecting(&mut self, select: Option<String>) {
        self.nav = Some(Nav::Back { select });
    }

    /// Opens a popup over the screen.
    pub fn open(&mut self, dialog: Dialog) {
        self.overlay = Some(dialog);
    }

    pub fn info(&mut self, text: impl Into<String>) {
        self.say(Tone::Info, text.into());
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.say(Tone::Error, text.into());
    }

    fn say(&mut self, tone: Tone, text: String) {
        self.status = Some(Status { text, tone });
    }

    /// The body area of a frame the size of the terminal: how far things scroll.
    pub fn body(&self) -> Rect {
        super::view::body_area(self.size)
    }

    pub fn finish(self) -> Asks {
        Asks {
            nav: self.nav,
            overlay: self.overlay,
            status: self.status,
        }
    }
}

impl Screen {
    pub fn update(&mut self, action: Action, cx: &mut Cx<'_>) -> Option<Effect> {
        match self {
            Self::Unlock(state) => unlock::update(state, action, cx),
            Self::List(state) => list::update(state, action, cx),
            Self::Detail(state) => detail::update(state, action, cx),
            Self::Form(state) => form::update(state, action, cx),
            Self::Result(state) => result::update(state, action, cx),
            Self::Keys(state) => keys::update(state, action, cx),
            Self::VersionForm(state) => version_form::update(state, action, cx),
            Self::EditForm(state) => edit_form::update(state, action, cx),
            Self::Events(state) => events::update(state, action, cx),
            Self::EventForm(state) => event_form::update(state, action, cx),
            Self::Records(state) => records::update(state, action, cx),
            Self::Report(state) => report::update(state, action, cx),
        }
    }

    /// The reads that bring what this screen shows up to date (after a change, this app's or
    /// another process's): a secret's detail, the pickers' choices, whether the name typed is
    /// taken, how many secrets use each key. Their answers come back through [`Self::refresh`].
    pub fn reads(&self) -> Vec<Request> {
        match self {
            Self::Detail(state) => vec![Request::ShowSecretDetail {
                name: state.name.clone(),
            }],
            Self::Form(form) => {
                let mut reads = vec![Request::ListKeyChoices, Request::ShowSecretsConfig];
                let name = form.name.as_str();
                if !name.is_empty() && validate_name(name).is_none() {
                    reads.push(Request::SecretNameExists {
                        name: name.to_owned(),
                    });
                }
                reads
            }
            Self::EditForm(_) => vec![Request::ListKeyChoices],
            Self::Keys(_) => vec![Request::KeyUsage],
            Self::Events(_) | Self::EventForm(_) => vec![events::read()],
            Self::Records(_) => vec![records::read()],
            // Checks (issue 14): the live weak-value warning and the report's setting line.
            Self::VersionForm(_) | Self::Report(_) => vec![Request::ShowSecretsConfig],
            Self::Unlock(_) | Self::List(_) | Self::Result(_) => Vec::new(),
        }
    }

    /// Takes what the vault just said, if this screen shows it (on top of the stack or under
    /// it): the detail of its secret, the keys its picker offers, a name's check.
    pub fn refresh(&mut self, fresh: &Fresh<'_>) {
        match (self, *fresh) {
            (Self::Detail(state), Fresh::Detail { name, result }) if state.name == name => {
                match result {
                    Ok(detail) => state.loaded(detail.clone()),
                    Err(e) => state.failed(e),
                }
            }
            (Self::Form(form), Fresh::KeyChoices(choices)) => form.set_choices(choices),
            (Self::Form(form), Fresh::NameTaken { name, taken }) => {
                form.set_name_taken(name, taken);
            }
            (Self::EditForm(form), Fresh::KeyChoices(choices)) => form.set_choices(choices),
            (Self::EditForm(form), Fresh::Keys(keys)) => form.set_keys(keys),
            (Self::Keys(state), Fresh::Keys(keys)) => {
                state.selected = state.selected.min(keys.len().saturating_sub(1));
            }
            (Self::Events(state), Fresh::Events(events)) => state.set_events(events),
            (Self::EventForm(form), Fresh::Events(events)) => {
                form.set_taken(events.iter().map(|e| e.name.clone()).collect());
            }
            (Self::Records(state), Fresh::Records(records)) => state.set_records(records),
            // Checks and the health report (issue 14).
            (Self::Form(form), Fresh::SecretsConfig(config)) => {
                form.value.set_checking(config.checking_secret_strength);
            }
            (Self::VersionForm(form), Fresh::SecretsConfig(config)) => {
                form.value.set_checking(config.checking_secret_strength);
            }
            (Self::Report(state), Fresh::SecretsConfig(config)) => state.set_config(config),
            (Self::Report(state), Fresh::Report(result)) => state.loaded(result),
            _ => {}
        }
    }

    pub fn render(&self, ctx: &Ctx<'_>, area: Rect, buf: &mut Buffer) {
        match self {
            Self::Unlock(state) => unlock::render(state, ctx, area, buf),
            Self::List(state) => list::render(*state, ctx, area, buf),
            Self::Detail(state) => detail::render(state, ctx, area, buf),
            Self::Form(state) => form_view::render(state, ctx, area, buf),
            Self::Result(state) => result::render(state, ctx, area, buf),
            Self::Keys(state) => keys::render(state, ctx, area, buf),
            Self::VersionForm(state) => version_form_view::render(state, ctx, area, buf),
            Self::EditForm(state) => edit_form::render(state, ctx, area, buf),
            Self::Events(state) => events::render(state, ctx, area, buf),
            Self::EventForm(state) => event_form::render(state, ctx, area, buf),
            Self::Records(state) => records::render(state, ctx, area, buf),
            Self::Report(state) => report::render(state, ctx, area, buf),
        }
    }

    /// Where the keyboard is on this screen.
    pub fn context(&self) -> Context {
        match self {
            Self::Unlock(_) => Context::Unlock,
            Self::List(ListMode::Browse) => Context::List,
            Self::List(ListMode::Filter) => Context::Filter,
            Self::Detail(_) => Context::Detail,
            Self::Form(form) => form.context(),
            Self::Result(r) if r.back_only => Context::Response,
            Self::Result(r) if !r.succeeded() => Context::ResultError,
            // A response with no `n` (not a create): Enter/Esc return where it came from.
            Self::Result(r) if r.again.is_none() => Context::ResultBack,
            Self::Result(_) => Context::Result,
            Self::Keys(_) => Context::Keys,
            Self::VersionForm(form) => form.context(),
            Self::EditForm(form) => form.context(),
            Self::Events(_) => Context::Events,
            Self::EventForm(form) => form.context(),
            Self::Records(_) => Context::Records,
            Self::Report(_) => Context::Report,
        }
    }
}
