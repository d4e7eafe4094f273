//! The runner's side of the secret's lifecycle: a version's value to show or copy, and each
//! lifecycle operation against the vault (and a file, for backups), answered with the secret's
//! fresh detail and the list.

use std::time::Instant;

use super::{Env, copied, failure, listing};
use crate::csms::{DeleteSecretForScheduleRequest, SecretBlobResponse};
use crate::tui::msg::Msg;
use crate::tui::ops::{Answer, Done, Failure, Op};
use crate::tui::text::lifecycle as t;
use crate::tui::{effects::blobfile, msg::describe};

/// One version's value, for the detail screen to show while revealed.
pub(super) fn reveal(env: &Env, name: String, version_id: String) -> Option<Msg> {
    let result = env
        .vault
        .as_ref()?
        .get_value(&name, &version_id)
        .map_err(|e| e.to_api());
    Some(Msg::Revealed {
        name,
        version_id,
        result,
    })
}

/// One version's value to the clipboard (cleared after the usual delay); never on screen.
pub(super) fn copy_version(
    env: &mut Env,
    name: &str,
    version_id: &str,
    now: Instant,
) -> Option<Msg> {
    let version = match env.vault.as_ref()?.get_value(name, version_id) {
        Ok(v) => v,
        Err(e) => return Some(failure(describe(&e.to_api()))),
    };
    let label = format!("{} {name} {version_id}", t::VALUE_OF_VERSION);
    let (value, what) = match (&version.secret_string, &version.secret_binary) {
        (Some(text), _) => (text, label),
        (None, Some(b64)) => (b64, format!("{label} {}", t::AS_BASE64_NOTE)),
        (None, None) => return Some(failure(format!("{label}: {}", t::NO_VALUE))),
    };
    Some(copied(env.clipboard.copy(value, true, now), &what))
}

/// Performs `op`; the list and the secret's detail are read again after it.
pub(super) fn run(env: &Env, op: Op) -> Option<Msg> {
    let vault = env.vault.as_ref()?;
    let api = |e: crate::vault::VaultError| Failure::Api(e.to_api());
    let result = match &op {
        Op::SetStage {
            name,
            stage,
            version_id,
        } => vault
            .update_stage(name, stage, version_id)
            .map(Answer::Stage)
            .map_err(api),
        Op::RemoveStage { name, stage } => vault
            .delete_stage(name, stage)
            .map(|()| Answer::NoContent)
            .map_err(api),
        Op::SetEnabled { name, enabled } => vault
            .set_secret_enabled(name, *enabled)
            .map(Answer::Secret)
            .map_err(api),
        Op::ScheduleDelete { name, days } => vault
            .schedule_delete(
                name,
                &DeleteSecretForScheduleRequest {
                    recovery_window_in_days: Some(*days),
                },
            )
            .map(Answer::Secret)
            .map_err(api),
        Op::Restore { name } => vault.restore_secret(name).map(Answer::Secret).map_err(api),
        Op::DeleteNow { name } => vault
            .delete_secret(name)
            .map(|()| Answer::NoContent)
            .map_err(api),
        Op::Backup { name, path } => vault.download_blob(name).map_err(api).and_then(|blob| {
            let saved = blobfile::save(path, &blob).map_err(Failure::File)?;
            Ok(Answer::Blob {
                blob: SecretBlobResponse { secret_blob: blob },
                saved,
            })
        }),
        Op::UploadBlob { path } => blobfile::load(path)
            .map_err(Failure::File)
            .and_then(|blob| vault.upload_blob(&blob).map(Answer::Secret).map_err(api)),
    };
    let changed = result.is_ok() && !matches!(op, Op::Backup { .. });
    let listing = changed.then(|| listing(vault, None));
    let detail = match &op {
        Op::DeleteNow { .. } | Op::UploadBlob { .. } => None,
        other => other
            .secret_name()
            .map(|name| vault.secret_detail(name).map_err(|e| e.to_api())),
    };
    Some(Msg::Done(Box::new(Done {
        op,
        result,
        listing,
        detail,
    })))
}
