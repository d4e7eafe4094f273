//! Showing the vault as it is: the vault opened (its first page read), the idle lock (the vault
//! dropped, the unlock screen again), and another process's commits (what the screens show read
//! again, selection and filter kept).

use std::collections::HashMap;

use crate::csms::op::Request;
use crate::csms::{ApiError, ErrorCode};
use crate::tui::action::Effect;
use crate::tui::app::{App, ListMode, Loaded, Screen, Status};
use crate::tui::catalog::Catalog;
use crate::tui::msg::describe;
use crate::tui::screens::unlock::{MAX_TRIES, UnlockMode, UnlockState};
use crate::tui::text::{status as st, unlock as ut};

/// The vault opened: the list, drawn from the keys and the first page of secrets.
pub(super) fn opened(app: &mut App, created: bool) -> Effect {
    app.reset(Screen::List(ListMode::Browse));
    app.catalog = Catalog::default();
    app.incoming = None;
    app.more = None;
    // Until the first page is in (`pages::answered`).
    app.loaded = Loaded::Opening;
    if created {
        app.success(st::VAULT_CREATED);
    }
    Effect::reads([
        Request::ListKeys,
        super::pages::first(),
        Request::UnreadNotifications,
    ])
}

/// The unlock screen again, wiped, saying why.
pub(super) fn not_opened(app: &mut App, error: &ApiError, from_env: bool) {
    let why = match (error.code, from_env) {
        (ErrorCode::WrongPassphrase, false) => {
            if let Screen::Unlock(state) = &mut app.screen {
                state.wrong += 1;
                if state.wrong >= MAX_TRIES {
                    // Said on stderr once the terminal is back.
                    app.exit_note = Some(ut::GAVE_UP.to_owned());
                    app.quit = true;
                }
            }
            ut::WRONG.to_owned()
        }
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
    app.incoming = None;
    app.more = None;
    app.keys = Vec::new();
    app.key_usage = Some(HashMap::new());
    app.loaded = Loaded::All;
    app.busy = None;
    app.unread = 0;
    app.status = clipboard;
}

/// Another process committed: read again what the screens show, wherever they are in the stack
/// (see [`App::rereads`]; how many secrets use each key only while the keys screen is open, as
/// that scans every secret).
pub(super) fn changed(app: &App) -> Option<Effect> {
    (!matches!(app.screen, Screen::Unlock(_))).then(|| Effect::reads(app.rereads()))
}
