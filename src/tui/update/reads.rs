//! What the vault's reads answered, into the model: the keys, the secrets, how many secrets use
//! each key, the pickers' choices, a secret's detail, a name's check (each to every screen that
//! shows it, through [`App::refresh`]); a generated password into the form; and the reads for
//! the clipboard and for a revealed value.

use zeroize::Zeroizing;

use crate::csms::op::{Request, Response};
use crate::csms::{ApiError, ErrorCode, KeyInfo, LATEST, SecretResponse, VersionResponse};
use crate::tui::action::Effect;
use crate::tui::app::{App, Loaded, Screen, Status, Tone};
use crate::tui::msg::describe;
use crate::tui::screens::Fresh;
use crate::tui::text::{lifecycle as lt, status as st};

/// A read answered, for what the screens show.
pub(super) fn answered(
    app: &mut App,
    request: &Request,
    result: Result<Response, ApiError>,
) -> Option<Effect> {
    match (request, result) {
        (Request::ShowSecretDetail { name }, result) => {
            let result = result.and_then(|r| match r {
                Response::Detail(detail) => Ok(detail),
                _ => Err(unexpected()),
            });
            app.refresh(&Fresh::Detail {
                name,
                result: &result,
            });
        }
        (Request::GenerateRandomPassword(_), result) => {
            let result = result.and_then(|r| match r {
                Response::Password(password) => Ok(password),
                _ => Err(unexpected()),
            });
            match &mut app.screen {
                Screen::Form(form) => form.set_generated(result),
                Screen::VersionForm(form) => form.set_generated(result),
                _ => {}
            }
        }
        // The list, page by page (with each secret's tags): what was filtered, sorted or
        // selected meanwhile is kept.
        (Request::ListSecretSummaries { marker, .. }, result) => match result {
            Ok(Response::Summaries(page)) => {
                let opening = app.loaded == Loaded::Opening;
                return super::pages::answered(app, marker.is_none(), opening, page);
            }
            other => {
                // What is held stays; the next change reads it all again.
                app.incoming = None;
                app.more = None;
                app.loaded = Loaded::All;
                failed(app, other);
            }
        },
        (Request::KeyUsage, Ok(Response::KeyUsage(usage))) => app.key_usage = Some(usage),
        (Request::KeyUsage, Err(e)) => {
            // Zeros would read as "no secret uses this key": say the count failed.
            app.key_usage = None;
            app.error(format!("{}: {}", st::USAGE_FAILED, describe(&e)));
        }
        (Request::ListKeys, Ok(Response::Keys(list))) => keys(app, list.key_details),
        (Request::ListKeyChoices, Ok(Response::KeyChoices(choices))) => {
            app.refresh(&Fresh::KeyChoices(&choices));
        }
        (Request::SecretNameExists { name }, Ok(Response::NameTaken(taken))) => {
            app.refresh(&Fresh::NameTaken { name, taken });
        }
        // Events and notification records (issue 14).
        (Request::ListSecretEvents { .. }, Ok(Response::Events(list))) => {
            app.refresh(&Fresh::Events(&list.events));
        }
        (Request::ListNotificationRecords { .. }, Ok(Response::Records(list))) => {
            app.refresh(&Fresh::Records(&list.records));
        }
        (Request::UnreadNotifications, Ok(Response::Unread(n))) => {
            app.unread = n;
            // The records on screen are seen as they come.
            if n > 0 && matches!(app.screen, Screen::Records(_)) {
                return Some(Effect::vault(Request::MarkNotificationsSeen));
            }
        }
        // Checks and the health report (issue 14).
        (Request::ShowSecretsConfig, Ok(Response::SecretsConfig(config))) => {
            app.refresh(&Fresh::SecretsConfig(config));
        }
        (Request::HealthReport(_), result) => {
            let result = result.and_then(|r| match r {
                Response::HealthReport(report) => Ok(*report),
                _ => Err(unexpected()),
            });
            if let Err(e) = &result {
                app.error(describe(e));
            }
            app.refresh(&Fresh::Report(&result));
        }
        // The whole-vault backup (issue 16): done, said on the status line; refused, said in
        // the dialog, for another try.
        (Request::BackupVault(_), Ok(Response::Backup(report))) => {
            app.overlay = None;
            app.success(format!(
                "{} {} ({} {}, {} {}).",
                lt::VAULT_BACKED_UP,
                report.path,
                report.secrets,
                lt::SECRETS_WORD,
                report.bytes,
                lt::BYTES_WORD
            ));
        }
        (Request::BackupVault(_), Err(e)) => match &mut app.overlay {
            Some(dialog) => dialog.set_error(e.error_msg),
            None => app.error(describe(&e)),
        },
        (_, other) => failed(app, other),
    }
    None
}

/// An answer that is not the one its request gets (or a failure): the status line says so.
fn failed(app: &mut App, result: Result<Response, ApiError>) {
    let error = match result {
        Ok(_) => unexpected(),
        Err(e) => e,
    };
    app.error(describe(&error));
}

/// The error for an answer of the wrong shape (the vault never sends one).
pub(super) fn unexpected() -> ApiError {
    ApiError::new(
        ErrorCode::Internal,
        crate::tui::text::status::UNEXPECTED_ANSWER,
    )
}

/// The keys read again: into the list's aliases and every screen that shows them.
fn keys(app: &mut App, keys: Vec<KeyInfo>) {
    app.catalog.set_keys(&keys);
    app.refresh(&Fresh::Keys(&keys));
    app.keys = keys;
}

/// A read for the clipboard: the Secret record as JSON (`y`), or a value (`c`: the list's the
/// current one, the detail's the selected version), never shown.
pub(super) fn copy(
    app: &mut App,
    request: &Request,
    result: Result<Response, ApiError>,
) -> Option<Effect> {
    let response = match result {
        Ok(response) => response,
        Err(e) => {
            app.error(describe(&e));
            return None;
        }
    };
    match (request, response) {
        (Request::ShowSecret { .. }, Response::Secret(SecretResponse { secret })) => {
            let json = Zeroizing::new(serde_json::to_string_pretty(&secret).unwrap_or_default());
            Some(Effect::Copy {
                text: json,
                what: st::WHAT_RECORD.to_owned(),
                sensitive: false,
            })
        }
        (
            Request::ShowSecretVersion { name, version_id },
            Response::Version(VersionResponse { version }),
        ) => {
            let (text, binary) = match (version.secret_string, version.secret_binary) {
                (Some(text), _) => (text, false),
                (None, Some(b64)) => (b64, true),
                (None, None) => {
                    empty_value(app, name, version_id);
                    return None;
                }
            };
            let what = if version_id == LATEST {
                let what = format!("{} {name}", st::VALUE_OF);
                if binary {
                    format!("{what} {}", st::AS_BASE64)
                } else {
                    what
                }
            } else {
                let what = format!("{} {name} {version_id}", lt::VALUE_OF_VERSION);
                if binary {
                    format!("{what} {}", lt::AS_BASE64_NOTE)
                } else {
                    what
                }
            };
            Some(Effect::Copy {
                text,
                what,
                sensitive: true,
            })
        }
        (_, other) => {
            failed(app, Ok(other));
            None
        }
    }
}

/// A version with no value: nothing copied (the list's current value is a note, the detail's
/// chosen version a failure).
fn empty_value(app: &mut App, name: &str, version_id: &str) {
    app.status = Some(if version_id == LATEST {
        Status {
            text: format!("{} {name} {}", st::NO_VALUE, st::NOTHING_COPIED),
            tone: Tone::Info,
        }
    } else {
        Status {
            text: format!(
                "{} {name} {version_id}: {}",
                lt::VALUE_OF_VERSION,
                lt::NO_VALUE
            ),
            tone: Tone::Error,
        }
    });
}

/// A version's value read for the detail: kept there only while that version is selected.
pub(super) fn reveal(app: &mut App, request: &Request, result: Result<Response, ApiError>) {
    match (request, result) {
        (
            Request::ShowSecretVersion { name, version_id },
            Ok(Response::Version(VersionResponse { version })),
        ) => {
            if let Screen::Detail(state) = &mut app.screen
                && state.name == *name
            {
                state.reveal(version_id, version);
            }
        }
        (_, other) => failed(app, other),
    }
}
