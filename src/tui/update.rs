//! `update`: one action changes the model and may ask for one effect. Screens handle their own
//! actions; this file routes them and owns what works everywhere (quit, help, back, overlays).

use super::action::{Action, Effect};
use super::app::{App, ListMode, Overlay, Screen};
use super::screens::form::{self, FormState};
use super::screens::result::{self, Outcome};
use super::screens::{detail, help, keys, list, unlock};
use super::text::form as ft;

pub fn update(app: &mut App, action: Action) -> Option<Effect> {
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
    let screen = std::mem::replace(&mut app.screen, Screen::List(ListMode::Browse));
    match screen {
        Screen::Unlock(mut state) => {
            let effect = unlock::update(&mut state, action);
            app.screen = Screen::Unlock(state);
            effect
        }
        Screen::List(mode) => {
            app.screen = Screen::List(mode);
            list::update(app, mode, action)
        }
        Screen::Detail(mut state) => {
            if action == Action::Back {
                return None;
            }
            let effect = detail::update(&mut state, action, &app.zone, app.body.get());
            app.screen = Screen::Detail(state);
            effect
        }
        Screen::Form(mut state) => {
            if action == Action::Back {
                if state.is_dirty() {
                    app.overlay = Some(Overlay::Discard);
                    app.screen = Screen::Form(state);
                }
                return None;
            }
            let effect = form::update(&mut state, action);
            if action == Action::Submit && state.refused() {
                app.error(ft::FIX_FIRST);
            }
            app.screen = Screen::Form(state);
            effect
        }
        Screen::Result(mut state) => match (action, state.outcome) {
            (Action::Back, Outcome::Created(_)) => None,
            (Action::Another, Outcome::Created(_)) => {
                app.screen = Screen::Form(Box::new(FormState::new(&app.keys)));
                None
            }
            (Action::Back | Action::Another, Outcome::Failed(form)) => {
                app.screen = Screen::Form(form);
                None
            }
            (_, outcome) => {
                state.outcome = outcome;
                let effect = result::update(&mut state, action, app.body.get());
                app.screen = Screen::Result(state);
                effect
            }
        },
        Screen::Keys(mut state) => {
            if action == Action::Back {
                return None;
            }
            let effect = keys::update(app, &mut state.selected, action);
            app.screen = Screen::Keys(state);
            effect
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
            app.overlay = Some(Overlay::Help {
                scroll: scroll
                    .saturating_add(1)
                    .min(help::max_scroll(app.body.get())),
            });
        }
        (Overlay::Help { .. }, Action::Back | Action::Help) => {}
        (Overlay::Discard, Action::Yes) => app.screen = Screen::List(ListMode::Browse),
        (Overlay::Discard | Overlay::KeyState { .. }, Action::No | Action::Back) => {}
        (Overlay::KeyState { key_id, to, .. }, Action::Yes) => {
            return Some(Effect::SetKeyState(key_id, to));
        }
        (Overlay::NewKey { .. }, Action::Back) => {}
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
