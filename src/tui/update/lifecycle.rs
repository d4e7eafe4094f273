//! The secret's lifecycle in the model: a revealed value, and each
//! operation's answer: the response screen (over the detail, refreshed under it; in the
//! detail's place after a delete; over the list after a restore from a blob), or, for a file
//! that could not be written or read, the reason in the dialog that asked.

use crate::csms::{ApiError, SecretResponse, SecretVersion, StageResponse};
use crate::tui::app::{App, Screen};
use crate::tui::msg::{Listing, describe};
use crate::tui::ops::{Answer, Done, Failure, Op, Saved};
use crate::tui::screens::result::ResultState;
use crate::tui::screens::{Fresh, list};
use crate::tui::text::lifecycle as t;

/// A version's value read for the detail: kept there only while that version is selected.
pub(super) fn revealed(
    app: &mut App,
    name: &str,
    version_id: &str,
    result: Result<SecretVersion, ApiError>,
) {
    match result {
        Ok(version) => {
            if let Screen::Detail(state) = &mut app.screen
                && state.name == name
            {
                state.reveal(version_id, version);
            }
        }
        Err(e) => app.error(describe(&e)),
    }
}

/// An operation answered.
pub(super) fn done(app: &mut App, done: Done) {
    let Done {
        op,
        result,
        listing,
        detail,
    } = done;
    if let Some(listing) = listing {
        relist(app, listing);
    }
    if let (Some(result), Some(name)) = (&detail, op.secret_name()) {
        app.refresh(&Fresh::Detail { name, result });
    }
    match result {
        Ok(answer) => answered(app, &op, answer),
        Err(Failure::File(why)) => {
            app.error(why.clone());
            if let Some(dialog) = &mut app.overlay {
                dialog.set_error(why);
            }
        }
        Err(Failure::Api(e)) => {
            app.overlay = None;
            app.error(describe(&e));
            app.push(Screen::Result(Box::new(ResultState::error(&e).back_only())));
        }
    }
}

/// The list after an operation: selection, filter and sort kept.
fn relist(app: &mut App, listing: Result<Listing, ApiError>) {
    match listing {
        Ok(listing) => {
            app.catalog.refresh(listing.secrets, &listing.keys);
            app.keys = listing.keys;
            app.catalog.settle(list::page_rows(app.size));
        }
        Err(e) => app.error(describe(&e)),
    }
}

/// The status line of a success, and the response screen where it belongs.
fn answered(app: &mut App, op: &Op, answer: Answer) {
    app.overlay = None;
    let name = op.secret_name().unwrap_or_default().to_owned();
    let (status, response) = match answer {
        Answer::Secret(secret) => {
            let status = match op {
                Op::SetEnabled { enabled: true, .. } => format!("{} {name}.", t::ENABLED),
                Op::SetEnabled { .. } => format!("{} {name}.", t::DISABLED),
                Op::ScheduleDelete { .. } => format!("{} {name}.", t::SCHEDULED),
                Op::UploadBlob { .. } => format!("{} {}.", t::UPLOADED, secret.name),
                _ => format!("{} {name}.", t::RESTORED),
            };
            let selecting = secret.name.clone();
            let response = ResultState::ok(&SecretResponse { secret }).selecting(selecting);
            (status, response)
        }
        Answer::Stage(stage) => {
            let status = format!(
                "{} {} on {} {}.",
                t::STAGE_SET,
                stage.name,
                name,
                stage.version_id
            );
            (status, ResultState::ok(&StageResponse { stage }))
        }
        Answer::NoContent => {
            let status = match op {
                Op::RemoveStage { stage, .. } => {
                    format!("{} {stage} from {name}.", t::STAGE_REMOVED)
                }
                _ => format!("{} {name}.", t::DELETED),
            };
            (status, ResultState::no_content())
        }
        Answer::Blob { blob, saved } => (saved_line(&name, &saved), ResultState::ok(&blob)),
    };
    app.success(status);
    let response = Screen::Result(Box::new(response.back_only()));
    // Deleted: its detail has nothing left to show, and Back goes to the list.
    if matches!(op, Op::DeleteNow { .. }) && matches!(app.screen, Screen::Detail(_)) {
        app.replace(response);
    } else {
        app.push(response);
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
