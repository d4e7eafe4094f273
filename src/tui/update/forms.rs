//! What the new-version and edit forms' effects answered: a generated password into the value,
//! and each submit's response screen (in the form's place on success, so Back returns to the
//! detail screen, refreshed; over the form when refused, so Back returns to it for correction).

use crate::csms::{ApiError, SecretResponse, VersionMetadataResponse};
use crate::tui::action::Effect;
use crate::tui::app::{App, Screen};
use crate::tui::msg::{Msg, describe};
use crate::tui::screens::Fresh;
use crate::tui::screens::result::ResultState;
use crate::tui::text::status as st;
use crate::vault::SecretDetail;

/// Applies one of the forms' answers; after a change, asks to re-read the list (its dates,
/// descriptions and keys moved).
pub(super) fn apply(app: &mut App, msg: Msg) -> Option<Effect> {
    match msg {
        Msg::PasswordGenerated(result) => {
            match &mut app.screen {
                Screen::Form(form) => form.set_generated(result),
                Screen::VersionForm(form) => form.set_generated(result),
                _ => {}
            }
            None
        }
        Msg::VersionCreated {
            name,
            result,
            detail,
        } => match result {
            Ok(meta) => {
                app.success(format!(
                    "{} {} {} {name}.",
                    st::VERSION_CREATED,
                    meta.id,
                    st::OF
                ));
                let id = meta.id.clone();
                let response = ResultState::ok(&VersionMetadataResponse {
                    version_metadata: meta,
                })
                .with_id(id, st::WHAT_VERSION_ID);
                Some(answered(app, response, &name, detail.as_ref()))
            }
            Err(e) => refused(app, &e),
        },
        Msg::SecretUpdated {
            name,
            result,
            detail,
        } => match result {
            Ok(secret) => {
                app.success(format!("{} {name}.", st::SECRET_UPDATED));
                let id = secret.id.clone();
                let response = ResultState::ok(&SecretResponse { secret }).with_id(id, st::WHAT_ID);
                Some(answered(app, response, &name, detail.as_ref()))
            }
            Err(e) => refused(app, &e),
        },
        _ => None,
    }
}

/// The response in the form's place; the detail screen under it shows the secret re-read.
fn answered(
    app: &mut App,
    response: ResultState,
    name: &str,
    detail: Option<&Result<SecretDetail, ApiError>>,
) -> Effect {
    let screen = Screen::Result(Box::new(response));
    if matches!(app.screen, Screen::VersionForm(_) | Screen::EditForm(_)) {
        app.replace(screen);
    } else {
        app.push(screen);
    }
    if let Some(result) = detail {
        app.refresh(&Fresh::Detail { name, result });
    }
    Effect::Reload { usage: false }
}

/// A refused submit: the error response over the form, which Back returns to.
fn refused(app: &mut App, error: &ApiError) -> Option<Effect> {
    app.error(describe(error));
    if matches!(app.screen, Screen::VersionForm(_) | Screen::EditForm(_)) {
        app.push(Screen::Result(Box::new(ResultState::error(error))));
    }
    None
}
