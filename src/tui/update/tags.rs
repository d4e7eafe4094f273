//! What the vault answered to a tag change made on the detail screen (issue 14): the detail
//! stays, the status line says what changed, and what the screens show is read again (the
//! detail's tags, the list's marker and filter). A refused tag is said in its dialog, which
//! stays for another try.

use crate::csms::op::Request;
use crate::csms::{ApiError, SecretRef};
use crate::tui::action::Effect;
use crate::tui::app::App;
use crate::tui::dialogs::Dialog;
use crate::tui::msg::describe;
use crate::tui::text::tags as t;

fn name_of(secret: &SecretRef) -> &str {
    match secret {
        SecretRef::Name(name) | SecretRef::Id(name) => name,
    }
}

/// A tag set or removed: the dialog closes, the status line says so, the screens are read again.
pub(super) fn changed(app: &mut App, request: &Request) -> Effect {
    app.overlay = None;
    match request {
        Request::CreateSecretTag { secret, body } => app.success(format!(
            "{} {}={} {} {}.",
            t::SET,
            body.tag.key,
            body.tag.value.as_deref().unwrap_or(""),
            t::ON,
            name_of(secret)
        )),
        Request::DeleteSecretTag { secret, key } => app.success(format!(
            "{} {key} {} {}.",
            t::REMOVED,
            t::FROM,
            name_of(secret)
        )),
        _ => {}
    }
    Effect::reads(app.rereads())
}

/// A tag change refused: said in the tag dialog (which stays) and on the status line.
pub(super) fn refused(app: &mut App, error: &ApiError) {
    app.error(describe(error));
    if let Some(dialog @ Dialog::Tag(_)) = &mut app.overlay {
        dialog.set_error(error.error_msg.clone());
    }
}
