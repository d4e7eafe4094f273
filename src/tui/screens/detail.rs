//! Screen 2b: a secret's home: the Secret record over its versions table. `↑/↓` select a
//! version, Ctrl+R reveals or masks its value, `c` copies it; `t`/`T` set and remove stages,
//! `x` disables or enables, `d` schedules deletion, `r` restores, `D` deletes now, `b` saves a
//! backup blob, `R` rotates now. Each action ends on the response screen; Back returns here, refreshed.
//! `g` and `G` add, change and remove tags, staying here. Its standing with each remote shows
//! under the record, and `S` syncs it with one after showing the plan (issue 17).

pub mod remotes;
mod settings;
mod state;
mod tags;
mod versions;
mod view;

pub use state::{DetailState, Revealed};
pub use versions::{MAX_VALUE_ROWS, value_summary};
pub use view::{max_scroll, render};

use super::Cx;
use crate::csms::SecretState;
use crate::csms::op::Request;
use crate::tui::action::{Action, Effect, Purpose};
use crate::tui::dialogs::{Confirm, Dialog, FieldDialog, FieldKind, PickDialog, SyncDialog};
use crate::tui::keymap::FooterItem;
use crate::tui::sync::RemoteJob;
use crate::tui::text::lifecycle as t;

/// The footer's keys as the secret's state offers them: Ctrl+R says what it does now (reveal
/// or mask); a secret pending deletion offers `r` and not what it refuses (`u e t T x d R`),
/// another offers no `r`; a secret not (or no longer) read offers none of its keys.
pub fn footer(state: &DetailState, items: Vec<FooterItem>) -> Vec<FooterItem> {
    let secret_state = state.detail.as_ref().map(|d| d.secret.state);
    items
        .into_iter()
        .filter(|item| {
            let essential = matches!(item.action, Action::Help | Action::Back | Action::Quit);
            match secret_state {
                None => essential,
                Some(SecretState::PendingDelete) => !matches!(
                    item.action,
                    Action::NewVersion
                        | Action::EditSecret
                        | Action::SetStage
                        | Action::RemoveStage
                        | Action::ToggleEnabled
                        | Action::ScheduleDelete
                        | Action::RotateNow
                ),
                Some(_) => item.action != Action::RestoreSecret,
            }
        })
        .map(|mut item| {
            if item.action == Action::Reveal && state.revealed.is_some() {
                item.what = crate::tui::text::keys::MASK_VERSION;
            }
            item
        })
        .collect()
}

/// Opens the detail of `name` over the current screen: the reads that fill it (the secret, and
/// its standing with each remote, asked off the UI thread).
pub fn open(name: String, cx: &mut Cx<'_>) -> Effect {
    cx.push(super::Screen::Detail(Box::new(DetailState::new(
        name.clone(),
    ))));
    Effect::Each(vec![
        Effect::vault(Request::ShowSecretDetail { name: name.clone() }),
        Effect::Remote(RemoteJob::Standings { secret: name }),
    ])
}

/// Version selection, the value, the record's scroll, the lifecycle dialogs, and Back.
pub fn update(state: &mut DetailState, action: Action, cx: &mut Cx<'_>) -> Option<Effect> {
    match action {
        Action::Back => {
            state.mask();
            cx.back();
        }
        Action::Up => state.select_by(-1),
        Action::Down => state.select_by(1),
        Action::PageUp | Action::PageDown => {
            let page = view::page(state, cx.body());
            let max = max_scroll(state, cx.zone, cx.body());
            state.scroll = if action == Action::PageUp {
                state.scroll.min(max).saturating_sub(page)
            } else {
                state.scroll.saturating_add(page).min(max)
            };
        }
        Action::CopyRecord => {
            let name = state.name.clone();
            return Some(Effect::call(Request::ShowSecret { name }, Purpose::Copy));
        }
        Action::NewVersion => return super::version_form::open(state, cx),
        Action::EditSecret => return super::edit_form::open(state, cx),
        Action::Reveal
        | Action::CopyValue
        | Action::SetStage
        | Action::RemoveStage
        | Action::ToggleEnabled
        | Action::ScheduleDelete
        | Action::RestoreSecret
        | Action::DeleteNow
        | Action::Backup
        | Action::RotateNow => return act(state, action, cx),
        Action::SetTag | Action::RemoveTag => return tags::act(state, action, cx),
        Action::Sync => {
            state.mask();
            let (dialog, effect) = SyncDialog::open(Some(vec![state.name.clone()]));
            cx.open(Dialog::Sync(dialog));
            return Some(effect);
        }
        _ => {}
    }
    None
}

/// The actions on the secret or its selected version.
fn act(state: &mut DetailState, action: Action, cx: &mut Cx<'_>) -> Option<Effect> {
    let Some(detail) = &state.detail else {
        cx.info(t::STILL_LOADING);
        return None;
    };
    let name = state.name.clone();
    let secret_state = detail.secret.state;
    let version_id = state.selected_version().map(|v| v.metadata.id.clone());
    if action != Action::Reveal && action != Action::CopyValue {
        // Anything else opens a dialog or a response over the value: hide it first.
        state.mask();
    }
    let needs_version = matches!(
        action,
        Action::Reveal | Action::CopyValue | Action::SetStage | Action::RemoveStage
    );
    let version_id = match version_id {
        Some(v) => v,
        None if needs_version => {
            cx.info(t::NOTHING_SELECTED);
            return None;
        }
        None => String::new(),
    };
    let dialog = match action {
        Action::Reveal => {
            if state.revealed.is_some() {
                state.mask();
                return None;
            }
            return Some(Effect::call(
                Request::ShowSecretVersion { name, version_id },
                Purpose::Reveal,
            ));
        }
        Action::CopyValue => {
            return Some(Effect::call(
                Request::ShowSecretVersion { name, version_id },
                Purpose::Copy,
            ));
        }
        Action::RestoreSecret => return Some(Effect::vault(Request::RestoreSecret { name })),
        Action::SetStage => Dialog::Field(FieldDialog::new(FieldKind::Stage {
            name,
            version_id,
            holders: state.stage_holders(),
        })),
        Action::RemoveStage => {
            let stages = state.custom_stages();
            if stages.is_empty() {
                cx.info(t::NO_CUSTOM_STAGE);
                return None;
            }
            Dialog::Pick(PickDialog::remove_stage(name, version_id, stages))
        }
        Action::ToggleEnabled => match secret_state {
            SecretState::PendingDelete => {
                cx.info(t::PENDING_NO_TOGGLE);
                return None;
            }
            other => Dialog::Confirm(Confirm::Toggle {
                name,
                enable: other != SecretState::Enabled,
            }),
        },
        Action::ScheduleDelete => Dialog::Field(FieldDialog::new(FieldKind::Schedule { name })),
        Action::DeleteNow => Dialog::Field(FieldDialog::new(FieldKind::DeleteNow { name })),
        Action::Backup => Dialog::Field(FieldDialog::new(FieldKind::Backup { name })),
        Action::RotateNow => Dialog::Confirm(Confirm::Rotate { name }),
        _ => return None,
    };
    cx.open(dialog);
    None
}
