//! Remote work's answers (issue 17): a secret's remotes and each one's standing to the detail
//! screens that show it (each remote then asked; nothing asked or kept for a secret no longer
//! shown), the remotes, a plan and a run's outcomes to the sync dialog. A run that finished re-reads
//! what the screens show and asks the standings again; one whose dialog was closed says how it
//! ended on the status line.

use crate::tui::action::Effect;
use crate::tui::app::{App, Screen};
use crate::tui::dialogs::Dialog;
use crate::tui::msg::describe;
use crate::tui::screens::detail::DetailState;
use crate::tui::screens::detail::remotes::Remotes;
use crate::tui::sync::{RemoteAnswer, RemoteJob};
use crate::tui::text::sync as t;

pub(super) fn answered(app: &mut App, answer: RemoteAnswer) -> Option<Effect> {
    match answer {
        RemoteAnswer::Checking { secret, remotes } => {
            // A secret no longer shown is not asked about.
            if !shown(app, &secret) {
                return None;
            }
            let jobs: Vec<Effect> = remotes
                .iter()
                .map(|remote| {
                    Effect::Remote(RemoteJob::Standing {
                        secret: secret.clone(),
                        remote: remote.clone(),
                    })
                })
                .collect();
            for state in details(app, &secret) {
                state.remotes = if remotes.is_empty() {
                    Remotes::None
                } else {
                    Remotes::Asked(remotes.iter().map(|r| (r.clone(), None)).collect())
                };
            }
            (!jobs.is_empty()).then_some(Effect::Each(jobs))
        }
        RemoteAnswer::Standing {
            secret,
            remote,
            answer,
        } => {
            // Dropped when no detail of `secret` shows `remote` any more.
            for state in details(app, &secret) {
                state.remotes.answered(&remote, answer.clone());
            }
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

/// The detail screens of `secret` in the stack.
fn details<'a>(app: &'a mut App, secret: &'a str) -> impl Iterator<Item = &'a mut DetailState> {
    std::iter::once(&mut app.screen)
        .chain(&mut app.below)
        .filter_map(move |screen| match screen {
            Screen::Detail(state) if state.name == secret => Some(&mut **state),
            _ => None,
        })
}

/// Whether a detail screen of `secret` is in the stack.
fn shown(app: &App, secret: &str) -> bool {
    std::iter::once(&app.screen)
        .chain(&app.below)
        .any(|screen| matches!(screen, Screen::Detail(state) if state.name == secret))
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
