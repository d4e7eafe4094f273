//! Remote work's answers (issue 17): a secret's standings to the detail screens that show it,
//! the remotes, a plan and a run's outcomes to the sync dialog. A run that finished re-reads
//! what the screens show and asks the standings again; one whose dialog was closed says how it
//! ended on the status line.

use crate::tui::action::Effect;
use crate::tui::app::{App, Screen};
use crate::tui::dialogs::Dialog;
use crate::tui::msg::describe;
use crate::tui::screens::detail::remotes::Remotes;
use crate::tui::sync::{RemoteAnswer, RemoteJob};
use crate::tui::text::sync as t;

pub(super) fn answered(app: &mut App, answer: RemoteAnswer) -> Option<Effect> {
    match answer {
        RemoteAnswer::Checking { secret, remotes } => {
            set_remotes(app, &secret, || Remotes::Checking(remotes.clone()));
            None
        }
        RemoteAnswer::Standings { secret, standings } => {
            set_remotes(app, &secret, || {
                if standings.is_empty() {
                    Remotes::None
                } else {
                    Remotes::Known(standings.clone())
                }
            });
            None
        }
        answer => {
            let ran = matches!(answer, RemoteAnswer::Ran { .. });
            let answer = match &mut app.overlay {
                Some(Dialog::Sync(dialog)) => match dialog.answered(answer) {
                    Ok(next) => {
                        if dialog.no_remotes() {
                            app.overlay = None;
                            app.say(crate::tui::app::Tone::Info, t::NO_REMOTES);
                        }
                        return if ran { Some(after_run(app)) } else { next };
                    }
                    Err(answer) => answer,
                },
                _ => answer,
            };
            // Not the open dialog's: only a run that ended matters still.
            let RemoteAnswer::Ran { remote, result, .. } = answer else {
                return None;
            };
            match result {
                Ok(outcomes) => {
                    let failed = outcomes.iter().any(|o| o.error.is_some());
                    let text = t::ran(&remote, &outcomes);
                    if failed {
                        app.error(text);
                    } else {
                        app.success(text);
                    }
                }
                Err(e) => app.error(format!(
                    "{}: {}",
                    t::failed_title(Some(&remote)),
                    describe(&e)
                )),
            }
            Some(after_run(app))
        }
    }
}

/// Every detail screen of `secret` in the stack takes `remotes()`.
fn set_remotes(app: &mut App, secret: &str, remotes: impl Fn() -> Remotes) {
    for screen in std::iter::once(&mut app.screen).chain(&mut app.below) {
        if let Screen::Detail(state) = screen
            && state.name == secret
        {
            state.remotes = remotes();
        }
    }
}

/// After a run: what the screens show read again, and each detail's standings asked again.
fn after_run(app: &App) -> Effect {
    let mut effects: Vec<Effect> = app.rereads().into_iter().map(Effect::vault).collect();
    for screen in std::iter::once(&app.screen).chain(&app.below) {
        if let Screen::Detail(state) = screen {
            effects.push(Effect::Remote(RemoteJob::Standings {
                secret: state.name.clone(),
            }));
        }
    }
    Effect::Each(effects)
}
