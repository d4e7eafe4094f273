//! What effects answered, applied to the model: each outcome `Msg` lands here and nowhere else.

use crate::csms::{ApiError, ErrorCode, Secret};
use crate::csms::{KeyInfo, KeyState};
use crate::tui::app::{App, ListMode, Loaded, Screen};
use crate::tui::catalog::Catalog;
use crate::tui::msg::{KeyList, Listing, Msg, describe};
use crate::tui::screens::Fresh;
use crate::tui::screens::result::ResultState;
use crate::tui::screens::unlock::{UnlockMode, UnlockState};
use crate::tui::text::{status as st, unlock as ut};

pub(super) fn apply(app: &mut App, msg: Msg) {
    match msg {
        // Inputs and what refreshes the model: `update` takes these itself.
        Msg::Action(_)
        | Msg::Resize(_)
        | Msg::Busy(_)
        | Msg::Paste(_)
        | Msg::IdleTimeout
        | Msg::Locked(_)
        | Msg::VaultChanged
        | Msg::Reloaded { .. }
        | Msg::PasswordGenerated(_)
        | Msg::VersionCreated { .. }
        | Msg::SecretUpdated { .. } => {}
        Msg::Opened { created, listing } => {
            app.reset(Screen::List(ListMode::Browse));
            first_page(app, listing);
            if created {
                app.success(st::VAULT_CREATED);
            }
        }
        Msg::OpenFailed { error, from_env } => not_opened(app, &error, from_env),
        Msg::AllLoaded(listing) => {
            app.loaded = Loaded::All;
            match listing {
                // What was filtered, sorted or selected meanwhile is kept.
                Ok(listing) => {
                    app.catalog.refresh(listing.secrets, &listing.keys);
                    app.keys = listing.keys;
                }
                Err(e) => app.error(describe(&e)),
            }
        }
        Msg::NameChecked { name, taken } => match taken {
            Ok(taken) => app.refresh(&Fresh::NameTaken { name: &name, taken }),
            Err(e) => app.error(describe(&e)),
        },
        Msg::FileLoaded { path, load } => match &mut app.screen {
            Screen::Form(form) => form.set_file(&path, load),
            Screen::VersionForm(form) => form.set_file(&path, load),
            _ => {}
        },
        Msg::Created { result, keys } => created(app, result, keys),
        Msg::Detail { name, result } => app.refresh(&Fresh::Detail {
            name: &name,
            result: &result,
        }),
        Msg::Keys(list) => keys(app, Some(list)),
        Msg::KeyCreated { result, keys: list } => match result {
            Ok(key) => {
                app.overlay = None;
                app.success(format!("{} {}.", st::KEY_CREATED, key.key_alias));
                keys(app, list);
            }
            Err(e) => {
                if let Some(dialog) = &mut app.overlay {
                    dialog.set_error(e.error_msg);
                }
            }
        },
        Msg::KeyStateSet {
            to,
            result,
            keys: list,
        } => key_state_set(app, to, result, list),
        Msg::Notice(status) => app.status = Some(status),
        // The secret's lifecycle (tui-detail).
        Msg::Revealed {
            name,
            version_id,
            result,
        } => super::lifecycle::revealed(app, &name, &version_id, result),
        Msg::Done(done) => super::lifecycle::done(app, *done),
    }
}

/// The unlock screen again, wiped, saying why.
fn not_opened(app: &mut App, error: &ApiError, from_env: bool) {
    let why = match (error.code, from_env) {
        (ErrorCode::WrongPassphrase, false) => ut::WRONG.to_owned(),
        (ErrorCode::WrongPassphrase, true) => ut::ENV_WRONG.to_owned(),
        _ => describe(error),
    };
    if let Screen::Unlock(state) = &mut app.screen {
        state.failed(why);
    } else {
        let mut state = UnlockState::new(UnlockMode::Unlock);
        state.failed(why);
        app.reset(Screen::Unlock(state));
    }
}

fn first_page(app: &mut App, listing: Result<Listing, ApiError>) {
    match listing {
        Ok(listing) => {
            app.loaded = if listing.more {
                Loaded::FirstPage
            } else {
                Loaded::All
            };
            app.catalog = Catalog::new(listing.secrets, &listing.keys);
            app.keys = listing.keys;
        }
        Err(e) => app.error(describe(&e)),
    }
}

/// The form's submit answered: the response screen in the form's place (Back goes to the list,
/// the new secret selected), or, refused, over the form (Back returns to it for correction).
fn created(app: &mut App, result: Result<Secret, ApiError>, list: Option<KeyList>) {
    match result {
        Ok(secret) => {
            app.success(format!("{} {}.", st::CREATED, secret.name));
            let response = ResultState::created(&secret);
            app.catalog.insert(secret);
            app.replace(Screen::Result(Box::new(response)));
            keys(app, list);
        }
        Err(e) => {
            app.error(describe(&e));
            if matches!(app.screen, Screen::Form(_)) {
                app.push(Screen::Result(Box::new(ResultState::error(&e))));
            }
        }
    }
}

fn key_state_set(
    app: &mut App,
    to: KeyState,
    result: Result<KeyInfo, ApiError>,
    list: Option<KeyList>,
) {
    match result {
        Ok(key) => {
            let verb = if to == KeyState::Enabled {
                st::KEY_ENABLED
            } else {
                st::KEY_DISABLED
            };
            app.success(format!("{verb} {}.", key.key_alias));
            keys(app, list);
        }
        Err(e) => app.error(describe(&e)),
    }
}

/// The keys re-read: into the list's aliases and the keys screen, with the usage count if read.
fn keys(app: &mut App, list: Option<KeyList>) {
    let Some(KeyList { keys, usage }) = list else {
        return;
    };
    match keys {
        Ok(keys) => {
            app.catalog.set_keys(&keys);
            app.refresh(&Fresh::Keys(&keys));
            app.keys = keys;
            match usage {
                None => {}
                Some(Ok(usage)) => app.key_usage = Some(usage),
                Some(Err(e)) => {
                    // Zeros would read as "no secret uses this key": say the count failed.
                    app.key_usage = None;
                    app.error(format!("{}: {}", st::USAGE_FAILED, describe(&e)));
                }
            }
        }
        Err(e) => app.error(describe(&e)),
    }
}
