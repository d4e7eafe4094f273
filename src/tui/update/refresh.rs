//! Showing the vault as it is: the idle lock (the vault dropped, the unlock screen again) and
//! another process's commits (secrets, keys and the form's key picker re-read, selection and
//! filter kept).

use std::collections::HashMap;

use crate::csms::{ApiError, validate_name};
use crate::tui::action::Effect;
use crate::tui::app::{App, Loaded, Screen, Status};
use crate::tui::catalog::Catalog;
use crate::tui::msg::{Listing, describe};
use crate::tui::screens::Fresh;
use crate::tui::screens::unlock::{UnlockMode, UnlockState};
use crate::tui::text::unlock as ut;

/// No input for the idle-lock time: lock, unless nothing is unlocked.
pub(super) fn idle(app: &App) -> Option<Effect> {
    (!matches!(app.screen, Screen::Unlock(_))).then_some(Effect::Lock)
}

/// The vault is gone: nothing read from it stays in the model, and the passphrase is asked for
/// again (also when it came from the environment).
pub(super) fn locked(app: &mut App, clipboard: Option<Status>) {
    let mut unlock = UnlockState::new(UnlockMode::Unlock);
    unlock.failed(ut::LOCKED);
    app.reset(Screen::Unlock(unlock));
    app.overlay = None;
    app.catalog = Catalog::default();
    app.keys = Vec::new();
    app.key_usage = Some(HashMap::new());
    app.loaded = Loaded::All;
    app.busy = None;
    app.status = clipboard;
}

fn keys_screen_open(app: &App) -> bool {
    std::iter::once(&app.screen)
        .chain(&app.below)
        .any(|s| matches!(s, Screen::Keys(_)))
}

/// Another process committed: re-read what the app shows (the usage counts only when the keys
/// screen is open, as they scan every secret).
pub(super) fn changed(app: &App) -> Option<Effect> {
    (!matches!(app.screen, Screen::Unlock(_))).then(|| Effect::Reload {
        usage: keys_screen_open(app),
    })
}

/// The vault re-read: into the list (selection, filter and sort kept), the keys, the form's key
/// picker; then the check the current screen needs (the form's name, the detail shown).
pub(super) fn reloaded(
    app: &mut App,
    listing: Result<Listing, ApiError>,
    usage: Option<Result<HashMap<String, i64>, ApiError>>,
) -> Option<Effect> {
    let listing = match listing {
        Ok(listing) => listing,
        Err(e) => {
            app.error(describe(&e));
            return None;
        }
    };
    app.catalog.refresh(listing.secrets, &listing.keys);
    app.keys = listing.keys;
    app.loaded = Loaded::All;
    match usage {
        Some(Ok(usage)) => app.key_usage = Some(usage),
        Some(Err(_)) => app.key_usage = None,
        None => {}
    }
    let keys = std::mem::take(&mut app.keys);
    app.refresh(&Fresh::Keys(&keys));
    app.keys = keys;
    match &app.screen {
        Screen::Form(form)
            if !form.name.is_empty() && validate_name(form.name.as_str()).is_none() =>
        {
            Some(Effect::CheckName(form.name.as_str().to_owned()))
        }
        Screen::Detail(detail) => Some(Effect::LoadDetail(detail.name.clone())),
        _ => None,
    }
}
