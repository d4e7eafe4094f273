//! `update`, the one writer of the model: a message (a key's action, an effect's outcome, a
//! resize) changes the model and may ask for one effect. Screens handle their own actions
//! through one shape ([`Screen::update`]); this file routes actions, applies what screens ask for
//! (navigation, popups, status lines) and owns what works everywhere (quit, help, overlays).
//! Effect outcomes land in [`outcome`].

mod outcome;

use super::action::{Action, Effect};
use super::app::{App, Overlay};
use super::msg::Msg;
use super::screens::{Asks, Cx, Nav, Screen, help, list};
use super::text::unlock as ut;
use super::view;

pub fn update(app: &mut App, msg: impl Into<Msg>) -> Option<Effect> {
    match msg.into() {
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
        outcome => {
            app.busy = None;
            outcome::apply(app, outcome);
            None
        }
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
    effect
}

fn route(app: &mut App, action: Action) -> Option<Effect> {
    if action == Action::Quit {
        app.quit = true;
        return None;
    }
    if app.overlay.is_some() {
        return overlay(app, action);
    }
    if action == Action::Help {
        app.overlay = Some(Overlay::Help { scroll: 0 });
        return None;
    }
    let App {
        screen,
        catalog,
        keys,
        zone,
        size,
        ..
    } = app;
    let mut cx = Cx::new(catalog, keys, zone, *size);
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

fn overlay(app: &mut App, action: Action) -> Option<Effect> {
    let current = app.overlay.take()?;
    match (current, action) {
        (Overlay::Help { scroll }, Action::Up) => {
            app.overlay = Some(Overlay::Help {
                scroll: scroll.saturating_sub(1),
            });
        }
        (Overlay::Help { scroll }, Action::Down) => {
            let body = view::body_area(app.size);
            app.overlay = Some(Overlay::Help {
                scroll: scroll.saturating_add(1).min(help::max_scroll(body)),
            });
        }
        (Overlay::Help { .. }, Action::Back | Action::Help)
        | (Overlay::Discard | Overlay::KeyState { .. }, Action::No | Action::Back)
        | (Overlay::NewKey { .. }, Action::Back) => {}
        (Overlay::Discard, Action::Yes) => app.back(),
        (Overlay::KeyState { key_id, to, .. }, Action::Yes) => {
            return Some(Effect::SetKeyState(key_id, to));
        }
        (Overlay::NewKey { mut alias, error }, action) => {
            let effect = match action {
                Action::Activate => Some(Effect::CreateKey(alias.as_str().to_owned())),
                Action::Input(c) => {
                    alias.insert(c);
                    None
                }
                Action::Backspace => {
                    alias.backspace();
                    None
                }
                Action::Delete => {
                    alias.delete();
                    None
                }
                Action::Left => {
                    alias.left();
                    None
                }
                Action::Right => {
                    alias.right();
                    None
                }
                _ => None,
            };
            app.overlay = Some(Overlay::NewKey { alias, error });
            return effect;
        }
        (other, _) => app.overlay = Some(other),
    }
    None
}
