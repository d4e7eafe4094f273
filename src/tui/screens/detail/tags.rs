//! The detail screen's tags (issue 14): `g` opens the tag dialog (add a tag, or change the value
//! of a key the secret has), `G` the choice of a tag to remove. A secret pending deletion keeps
//! its tags as they are (the vault's `CSMS.0103`), so neither opens then.

use super::state::DetailState;
use crate::csms::SecretState;
use crate::tui::action::{Action, Effect};
use crate::tui::dialogs::{Dialog, PickDialog, TagDialog};
use crate::tui::screens::Cx;
use crate::tui::text::{lifecycle as lt, tags as t};

/// `g` and `G`: the dialog that changes the secret's tags.
pub fn act(state: &mut DetailState, action: Action, cx: &mut Cx<'_>) -> Option<Effect> {
    let Some(detail) = &state.detail else {
        cx.info(lt::STILL_LOADING);
        return None;
    };
    if detail.secret.state == SecretState::PendingDelete {
        cx.info(t::PENDING);
        return None;
    }
    let tags: Vec<(String, String)> = detail
        .tags
        .iter()
        .map(|tag| (tag.key.clone(), tag.value.clone()))
        .collect();
    let name = state.name.clone();
    state.mask();
    let dialog = match action {
        Action::SetTag => Dialog::Tag(TagDialog::new(name, tags)),
        _ if tags.is_empty() => {
            cx.info(t::NO_TAGS);
            return None;
        }
        _ => Dialog::Pick(PickDialog::remove_tag(name, &tags)),
    };
    cx.open(dialog);
    None
}
