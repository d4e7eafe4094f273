//! `update`, the one writer of the model: a message (a key's action, an effect's outcome, a
//! resize) changes the model and may ask for one effect. Screens handle their own actions
//! through one shape ([`Screen::update`]), popups through theirs ([`Dialog::update`]); this file
//! routes actions, applies what screens ask for (navigation, popups, status lines) and owns what
//! works everywhere (quit, help).
//! The vault's answers land in [`reads`] (what the screens show) and [`writes`] (a change's
//! response and status line, and the reads that follow it); pastes in [`paste`]; opening, the
//! idle lock and other processes' commits in [`refresh`]; the list's pages in [`pages`]; remote
//! work's answers (issue 17) in [`remote`].

mod pages;
mod paste;
mod reads;
mod refresh;
mod remote;
mod rotation;
mod tags;
mod writes;

use super::action::{Action, Effect, Purpose};
use super::app::App;
use super::dialogs::{Dialog, Step};
use super::msg::{Answered, Msg};
use super::screens::{Asks, Cx, Nav, Screen, help, list};
use super::text::unlock as ut;
use super::view;

pub use pages::load_all;

pub fn update(app: &mut App, msg: impl Into<Msg>) -> Option<Effect> {
    let effect = step(app, msg.into());
    mask_hidden_values(app);
    effect
}

/// A revealed value is shown only while its detail screen is on top with nothing over it: once
/// a screen or a popup covers it (or it is left), the value is wiped and masked.
fn mask_hidden_values(app: &mut App) {
    if app.overlay.is_some()
        && let Screen::Detail(detail) = &mut app.screen
    {
        detail.mask();
    }
    for screen in &mut app.below {
        if let Screen::Detail(detail) = screen {
            detail.mask();
        }
    }
}

fn step(app: &mut App, msg: Msg) -> Option<Effect> {
    match msg {
        Msg::Action(action) => act(app, action),
        Msg::Resize(size) => {
            app.size = size;
            app.catalog.settle(list::page_rows(size));
            None
        }
        Msg::Busy(what) => {
            app.busy = Some(what);
            None
        }
        Msg::Paste(text) => paste::paste(app, &text),
        Msg::IdleTimeout => refresh::idle(app),
        Msg::Locked(clipboard) => {
            refresh::locked(app, clipboard);
            None
        }
        Msg::VaultChanged => refresh::changed(app),
        Msg::HousekeepingDue => rotation::due(app),
        Msg::Remote(answer) => remote::answered(app, *answer),
        outcome => {
            app.busy = None;
            match outcome {
                Msg::Opened { created } => Some(refresh::opened(app, created)),
                Msg::OpenFailed { error, from_env } => {
                    refresh::not_opened(app, &error, from_env);
                    None
                }
                Msg::Answered(answered) => answer(app, *answered),
                Msg::FileLoaded { path, load } => {
                    match &mut app.screen {
                        Screen::Form(form) => form.set_file(&path, load),
                        Screen::VersionForm(form) => form.set_file(&path, load),
                        _ => {}
                    }
                    None
                }
                Msg::BlobSaved { name, blob, saved } => {
                    writes::blob_saved(app, &name, &blob, saved);
                    None
                }
                Msg::BlobLoaded(loaded) => writes::blob_loaded(app, loaded),
                Msg::Notice(status) => {
                    app.status = Some(status);
                    None
                }
                // Inputs, taken above.
                _ => None,
            }
        }
    }
}

/// The vault answered a call: what it is for, then what its request says, decides where the
/// answer goes.
fn answer(app: &mut App, answered: Answered) -> Option<Effect> {
    let Answered { call, result } = answered;
    match call.purpose {
        Purpose::Copy => reads::copy(app, &call.request, result),
        Purpose::Reveal => {
            reads::reveal(app, &call.request, result);
            None
        }
        Purpose::Backup { path } => writes::backup(app, &call.request, path, result),
        Purpose::Show if call.request.writes() => writes::answered(app, &call.request, result),
        Purpose::Show => reads::answered(app, &call.request, result),
    }
}

fn act(app: &mut App, action: Action) -> Option<Effect> {
    if !matches!(action, Action::Input(_)) {
        app.status = None;
    }
    let effect = route(app, action);
    if matches!(effect, Some(Effect::Unlock(_) | Effect::CreateVault(_))) {
        app.busy = Some(ut::UNLOCKING);
    }
    // Checks (issue 14): the health report reads every current value; say so first.
    if effect.as_ref().is_some_and(runs_report) {
        app.busy = Some(crate::tui::text::checks::RUNNING);
    }
    effect
}

/// Whether `effect` runs the health report (checks, issue 14).
fn runs_report(effect: &Effect) -> bool {
    match effect {
        Effect::Vault(call) => matches!(call.request, crate::csms::op::Request::HealthReport(_)),
        Effect::Each(effects) => effects.iter().any(runs_report),
        _ => false,
    }
}

fn route(app: &mut App, action: Action) -> Option<Effect> {
    if action == Action::Quit {
        app.quit = true;
        return None;
    }
    if let Some(open) = app.overlay.take() {
        return dialog(app, open, action);
    }
    if action == Action::Help {
        // Opened at the section of where it was opened from.
        let scroll = help::section_scroll(app.context(), view::body_area(app.size));
        app.overlay = Some(Dialog::Help { scroll });
        return None;
    }
    let App {
        screen,
        catalog,
        keys,
        zone,
        size,
        unread,
        now_ms,
        key_usage,
        vault_label,
        ..
    } = app;
    let mut cx = Cx::new(catalog, keys, zone, *size);
    cx.vault_label = vault_label;
    cx.unread = *unread;
    cx.now_ms = *now_ms;
    cx.key_usage = key_usage.as_ref();
    let effect = screen.update(action, &mut cx);
    let asks = cx.finish();
    grant(app, asks);
    effect
}

/// Does what the screen asked for.
fn grant(app: &mut App, asks: Asks) {
    let Asks {
        nav,
        overlay,
        status,
    } = asks;
    if let Some(status) = status {
        app.status = Some(status);
    }
    if overlay.is_some() {
        app.overlay = overlay;
    }
    match nav {
        None => {}
        Some(Nav::Push(screen)) => app.push(screen),
        Some(Nav::Replace(screen)) => app.replace(screen),
        Some(Nav::Back { select }) => {
            app.back();
            if let (Screen::List(_), Some(name)) = (&app.screen, select) {
                app.catalog.select_name(&name);
            }
        }
    }
}

/// A key while a popup is open: it goes to the popup, and what it answers is done.
fn dialog(app: &mut App, mut dialog: Dialog, action: Action) -> Option<Effect> {
    let step = dialog.update(action, &mut app.catalog, view::body_area(app.size));
    app.catalog.settle(list::page_rows(app.size));
    match step {
        Step::Stay => app.overlay = Some(dialog),
        Step::Close => {}
        Step::Leave => app.back(),
        Step::Answer(action) => return route(app, action),
        Step::Run { effect, keep } => {
            if keep {
                app.overlay = Some(dialog);
            }
            return Some(effect);
        }
    }
    None
}
