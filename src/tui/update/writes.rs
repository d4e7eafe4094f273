//! What the vault's changes answered: the status line and the response screen (in the form's
//! place after a submit, over the detail or the list after an action on a secret, in the
//! detail's place after a delete; a refusal over the form, for correction), then the reads that
//! bring the screens up to date. Also the file steps around a backup blob: saving it after the
//! vault's `DownloadSecretBlob`, reading one before its `UploadSecretBlob`.

use crate::csms::op::{Request, Response};
use crate::csms::{
    ApiError, KeyResponse, KeyState, SecretBlobResponse, SecretResponse, StageResponse,
    UploadSecretBlobRequest, VersionMetadataResponse,
};
use crate::tui::action::Effect;
use crate::tui::app::{App, Screen};
use crate::tui::effects::Saved;
use crate::tui::msg::describe;
use crate::tui::screens::Fresh;
use crate::tui::screens::result::ResultState;
use crate::tui::text::checks as ct;
use crate::tui::text::{events as et, lifecycle as t, rotation as rt, status as st};

/// A change answered.
pub(super) fn answered(
    app: &mut App,
    request: &Request,
    result: Result<Response, ApiError>,
) -> Option<Effect> {
    match result {
        Ok(response) => changed(app, request, &response),
        Err(e) => {
            refused(app, request, &e);
            None
        }
    }
}

/// A change made: its status line and response, then the reads that follow it.
fn changed(app: &mut App, request: &Request, response: &Response) -> Option<Effect> {
    match (request, response) {
        (Request::CreateSecret { .. }, Response::Secret(SecretResponse { secret })) => {
            app.success(format!("{} {}.", st::CREATED, secret.name));
            let shown = ResultState::created(secret);
            app.catalog.insert(secret);
            app.replace(Screen::Result(Box::new(shown)));
            // The default key may have been made just now.
            Some(Effect::reads([Request::ListKeys]))
        }
        (
            Request::CreateSecretVersion { name, .. },
            Response::VersionMetadata(VersionMetadataResponse { version_metadata }),
        ) => {
            let id = version_metadata.id.clone();
            app.success(format!("{} {id} {} {name}.", st::VERSION_CREATED, st::OF));
            let shown = ResultState::ok(response).with_id(id, st::WHAT_VERSION_ID);
            Some(form_answered(app, shown))
        }
        (Request::UpdateSecret { name, .. }, Response::Secret(SecretResponse { secret })) => {
            app.success(format!("{} {name}.", st::SECRET_UPDATED));
            let shown = ResultState::ok(response).with_id(secret.id.clone(), st::WHAT_ID);
            Some(form_answered(app, shown))
        }
        (Request::CreateKey(_), Response::Key(KeyResponse { key_info })) => {
            app.overlay = None;
            app.success(format!("{} {}.", st::KEY_CREATED, key_info.key_alias));
            Some(Effect::reads([Request::ListKeys, Request::KeyUsage]))
        }
        (Request::SetKeyState { state, .. }, Response::Key(KeyResponse { key_info })) => {
            let verb = if *state == KeyState::Enabled {
                st::KEY_ENABLED
            } else {
                st::KEY_DISABLED
            };
            app.success(format!("{verb} {}.", key_info.key_alias));
            Some(Effect::reads([Request::ListKeys, Request::KeyUsage]))
        }
        (Request::Housekeeping, Response::Housekeeping(done)) => super::rotation::done(app, *done),
        // Events and notification records (issue 14).
        (Request::MarkNotificationsSeen, _) => {
            app.unread = 0;
            None
        }
        (
            Request::CreateSecretEvent(_)
            | Request::UpdateSecretEvent { .. }
            | Request::DeleteSecretEvent { .. },
            _,
        ) => Some(on_event(app, request, response)),
        // Tags (issue 14): the detail stays; its status line says what changed.
        (
            Request::CreateSecretTag { .. } | Request::DeleteSecretTag { .. },
            Response::NoContent,
        ) => Some(super::tags::changed(app, request)),
        // Checks (issue 14): the strength warnings switched on the report screen.
        (Request::UpdateSecretsConfig(_), Response::SecretsConfig(config)) => {
            app.success(if config.checking_secret_strength {
                ct::CHECKING_ON
            } else {
                ct::CHECKING_OFF
            });
            app.refresh(&Fresh::SecretsConfig(*config));
            None
        }
        _ => on_secret(app, request, response),
    }
}

/// A change to an event made: the status line (the form closes after a create), then what the
/// screens show read again.
fn on_event(app: &mut App, request: &Request, response: &Response) -> Effect {
    let status = match (request, response) {
        (Request::CreateSecretEvent(_), Response::Event(e)) => {
            format!("{} {}.", et::CREATED, e.event.name)
        }
        (Request::UpdateSecretEvent { .. }, Response::Event(e)) if e.event.enabled() => {
            format!("{} {}.", et::ENABLED, e.event.name)
        }
        (Request::UpdateSecretEvent { .. }, Response::Event(e)) => {
            format!("{} {}.", et::DISABLED, e.event.name)
        }
        (Request::DeleteSecretEvent { name }, _) => format!("{} {name}.", et::DELETED),
        _ => String::new(),
    };
    app.overlay = None;
    app.success(status);
    if matches!(app.screen, Screen::EventForm(_)) {
        app.back();
    }
    Effect::reads(app.rereads())
}

/// The response of a submitted form in the form's place, so Back returns to the detail; what
/// the screens show read again.
fn form_answered(app: &mut App, shown: ResultState) -> Effect {
    let shown = Screen::Result(Box::new(shown));
    if matches!(app.screen, Screen::VersionForm(_) | Screen::EditForm(_)) {
        app.replace(shown);
    } else {
        app.push(shown);
    }
    Effect::reads(app.rereads())
}

/// An action on a secret (its lifecycle): the status line, and the response over the detail or
/// the list (in the detail's place after a delete: nothing is left to show there).
fn on_secret(app: &mut App, request: &Request, response: &Response) -> Option<Effect> {
    let (status, shown) = match (request, response) {
        (request, Response::Secret(SecretResponse { secret })) => {
            let name = &secret.name;
            let status = match request {
                Request::SetSecretEnabled { enabled: true, .. } => {
                    format!("{} {name}.", t::ENABLED)
                }
                Request::SetSecretEnabled { .. } => format!("{} {name}.", t::DISABLED),
                Request::DeleteSecretForSchedule { .. } => format!("{} {name}.", t::SCHEDULED),
                Request::UploadSecretBlob(_) => format!("{} {name}.", t::UPLOADED),
                _ => format!("{} {name}.", t::RESTORED),
            };
            let shown = ResultState::ok(response).selecting(name.clone());
            (status, shown)
        }
        (Request::UpdateSecretStage { name, .. }, Response::Stage(StageResponse { stage })) => {
            let status = format!(
                "{} {} on {} {}.",
                t::STAGE_SET,
                stage.name,
                name,
                stage.version_id
            );
            (status, ResultState::ok(response))
        }
        (Request::DeleteSecretStage { name, stage }, Response::NoContent) => {
            let status = format!("{} {stage} from {name}.", t::STAGE_REMOVED);
            (status, ResultState::no_content())
        }
        (Request::DeleteSecret { name }, Response::NoContent) => {
            let status = format!("{} {name}.", t::DELETED);
            (status, ResultState::no_content())
        }
        (Request::RotateSecret { name }, Response::Rotated(rotated)) => {
            let status = format!(
                "{} {name}: {} {}.",
                rt::ROTATED,
                rotated.version_id,
                rt::IS_CURRENT
            );
            (status, ResultState::ok(response))
        }
        _ => {
            app.error(describe(&super::reads::unexpected()));
            return None;
        }
    };
    app.overlay = None;
    app.success(status);
    let shown = Screen::Result(Box::new(shown.back_only()));
    // Deleted: its detail has nothing left to show, and Back goes to the list.
    if matches!(request, Request::DeleteSecret { .. }) && matches!(app.screen, Screen::Detail(_)) {
        app.replace(shown);
    } else {
        app.push(shown);
    }
    Some(Effect::reads(app.rereads()))
}

/// A change refused: the error response where the change was asked for.
fn refused(app: &mut App, request: &Request, error: &ApiError) {
    match request {
        // The form stays under the error response, for correction.
        Request::CreateSecret { .. } => {
            app.error(describe(error));
            if matches!(app.screen, Screen::Form(_)) {
                app.push(Screen::Result(Box::new(ResultState::error(error))));
            }
        }
        Request::CreateSecretVersion { .. } | Request::UpdateSecret { .. } => {
            app.error(describe(error));
            if matches!(app.screen, Screen::VersionForm(_) | Screen::EditForm(_)) {
                app.push(Screen::Result(Box::new(ResultState::error(error))));
            }
        }
        // Said in the popup, for another try.
        Request::CreateKey(_) => {
            if let Some(dialog) = &mut app.overlay {
                dialog.set_error(error.error_msg.clone());
            }
        }
        Request::SetKeyState { .. } => app.error(describe(error)),
        Request::Housekeeping => super::rotation::failed(app, error),
        // Events and notification records (issue 14): said on the status line, the form kept.
        Request::CreateSecretEvent(_)
        | Request::UpdateSecretEvent { .. }
        | Request::DeleteSecretEvent { .. }
        | Request::MarkNotificationsSeen => {
            app.overlay = None;
            app.error(describe(error));
        }
        Request::CreateSecretTag { .. } | Request::DeleteSecretTag { .. } => {
            super::tags::refused(app, error);
        }
        _ => on_secret_refused(app, error),
    }
}

/// An action on a secret refused: the API's error response.
fn on_secret_refused(app: &mut App, error: &ApiError) {
    app.overlay = None;
    app.error(describe(error));
    app.push(Screen::Result(Box::new(
        ResultState::error(error).back_only(),
    )));
}

/// The blob read for a backup: saved to its file next (the dialog stays until then).
pub(super) fn backup(
    app: &mut App,
    request: &Request,
    path: String,
    result: Result<Response, ApiError>,
) -> Option<Effect> {
    match (request, result) {
        (Request::DownloadSecretBlob { name }, Ok(Response::SecretBlob(blob))) => {
            Some(Effect::SaveBlob {
                name: name.clone(),
                path,
                blob,
            })
        }
        (_, Err(e)) => {
            on_secret_refused(app, &e);
            None
        }
        (_, Ok(_)) => None,
    }
}

/// The backup blob written (the response shows it) or not (the dialog says why).
pub(super) fn blob_saved(
    app: &mut App,
    name: &str,
    blob: &SecretBlobResponse,
    saved: Result<Saved, String>,
) {
    match saved {
        Ok(saved) => {
            app.overlay = None;
            app.success(saved_line(name, &saved));
            let shown = ResultState::ok(blob).back_only();
            app.push(Screen::Result(Box::new(shown)));
        }
        Err(why) => file_failed(app, why),
    }
}

/// The backup blob file read for a restore: uploaded next, or the dialog says why not.
pub(super) fn blob_loaded(app: &mut App, loaded: Result<String, String>) -> Option<Effect> {
    match loaded {
        Ok(secret_blob) => Some(Effect::vault(Request::UploadSecretBlob(
            UploadSecretBlobRequest { secret_blob },
        ))),
        Err(why) => {
            file_failed(app, why);
            None
        }
    }
}

/// A file that could not be written or read: said on the status line and in the dialog that
/// asked, which stays for another try.
fn file_failed(app: &mut App, why: String) {
    app.error(why.clone());
    if let Some(dialog) = &mut app.overlay {
        dialog.set_error(why);
    }
}

fn saved_line(name: &str, saved: &Saved) -> String {
    let what = if saved.replaced {
        t::REPLACED_FILE
    } else {
        t::CREATED_FILE
    };
    format!(
        "{} {name} to {} (0600, {} bytes; {what}).",
        t::SAVED,
        saved.path,
        saved.bytes
    )
}
