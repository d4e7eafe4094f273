//! The runner's side: performs an `Effect` against the vault, the file system or the clipboard,
//! and answers with a `Msg` for `update`. It never touches the model. No drawing here, and no
//! secret in any message.

use std::path::PathBuf;
use std::time::Instant;

use zeroize::Zeroizing;

use super::action::Effect;
use super::app::{Status, Tone};
use super::msg::{KeyList, Listing, Msg, describe};
use super::screens::form;
use super::text::{self, status as st};
use crate::clipboard::{ClearOutcome, ClipboardError, ClipboardGuard, CopyOutcome};
use crate::csms::ApiError;
use crate::vault::{Vault, VaultError};

mod blobfile;
mod lifecycle;

/// How many secrets the first frame after unlocking is drawn from.
const FIRST_PAGE: usize = 200;

/// What effects act on: the vault once unlocked, and the clipboard.
pub struct Env {
    pub path: PathBuf,
    pub vault: Option<Vault>,
    pub clipboard: ClipboardGuard,
    /// The vault's `data_version` when its contents were last read: another process's commit
    /// changes it.
    pub seen_version: Option<i64>,
}

impl Env {
    pub fn new(path: PathBuf, clipboard: ClipboardGuard) -> Self {
        Self {
            path,
            vault: None,
            clipboard,
            seen_version: None,
        }
    }

    /// Whether another process committed to the open vault since it was last read (a cheap
    /// `PRAGMA data_version`). Remembers the new version, so each commit is reported once.
    pub fn vault_changed(&mut self) -> bool {
        let Some(version) = self.vault.as_ref().and_then(|v| v.data_version().ok()) else {
            return false;
        };
        let changed = self.seen_version.is_some_and(|seen| seen != version);
        self.seen_version = Some(version);
        changed
    }
}

fn success(text: String) -> Msg {
    Msg::Notice(Status {
        text,
        tone: Tone::Success,
    })
}

fn failure(text: String) -> Msg {
    Msg::Notice(Status {
        text,
        tone: Tone::Error,
    })
}

/// Performs `effect`; `None` when there is nothing to report (no vault open yet).
pub fn perform(env: &mut Env, effect: Effect, now: Instant) -> Option<Msg> {
    Some(match effect {
        Effect::Unlock(pass) => opened(env, Vault::open(&env.path, pass.as_bytes()), false),
        Effect::CreateVault(pass) => opened(env, Vault::init(&env.path, pass.as_bytes()), true),
        Effect::LoadAll => {
            let vault = env.vault.as_ref()?;
            Msg::AllLoaded(listing(vault, None))
        }
        Effect::CheckName(name) => {
            let taken = env
                .vault
                .as_ref()?
                .name_exists(&name)
                .map_err(|e| e.to_api());
            Msg::NameChecked { name, taken }
        }
        Effect::LoadFile(path) => {
            let load = form::load_file(&path);
            Msg::FileLoaded { path, load }
        }
        Effect::Submit(req) => {
            let vault = env.vault.as_ref()?;
            let result = vault.create_secret(&req).map_err(|e| e.to_api());
            let keys = result.is_ok().then(|| keys(vault, false));
            Msg::Created { result, keys }
        }
        Effect::LoadDetail(name) => {
            let result = env
                .vault
                .as_ref()?
                .secret_detail(&name)
                .map_err(|e| e.to_api());
            Msg::Detail { name, result }
        }
        Effect::CopyRecord(name) => match env.vault.as_ref()?.show_secret(&name) {
            Ok(secret) => {
                let json =
                    Zeroizing::new(serde_json::to_string_pretty(&secret).unwrap_or_default());
                copy(env, &json, st::WHAT_RECORD, now)
            }
            Err(e) => failure(describe(&e.to_api())),
        },
        Effect::CopyValue(name) => copy_value(env, &name, now)?,
        Effect::Copy { text, what } => copy(env, &text, what, now),
        Effect::LoadKeys => Msg::Keys(keys(env.vault.as_ref()?, true)),
        Effect::CreateKey(alias) => {
            let vault = env.vault.as_ref()?;
            let result = vault.create_key(&alias, "").map_err(|e| e.to_api());
            let keys = result.is_ok().then(|| keys(vault, true));
            Msg::KeyCreated { result, keys }
        }
        Effect::SetKeyState(key_id, to) => {
            let vault = env.vault.as_ref()?;
            let result = vault.set_key_state(&key_id, to).map_err(|e| e.to_api());
            let keys = result.is_ok().then(|| keys(vault, true));
            Msg::KeyStateSet { to, result, keys }
        }
        Effect::Lock => {
            // Dropping the vault wipes its keys (the ciphers zeroize on drop).
            env.vault = None;
            env.seen_version = None;
            Msg::Locked(env.clipboard.on_quit().map(clear_notice))
        }
        Effect::Reload { usage } => {
            let vault = env.vault.as_ref()?;
            let listing = listing(vault, None);
            let usage =
                (usage && listing.is_ok()).then(|| vault.key_usage().map_err(|e| e.to_api()));
            Msg::Reloaded { listing, usage }
        }

        // The new-version and edit forms, and the password generator.
        effect @ (Effect::Generate(_)
        | Effect::CreateVersion { .. }
        | Effect::UpdateSecret { .. }) => forms(env, effect)?,
        // The secret's lifecycle (tui-detail).
        Effect::RevealValue { name, version_id } => lifecycle::reveal(env, name, version_id)?,
        Effect::CopyVersion { name, version_id } => {
            lifecycle::copy_version(env, &name, &version_id, now)?
        }
        Effect::Lifecycle(op) => lifecycle::run(env, op)?,
    })
}

/// The status line after a copied value came due for clearing (or the app quit or locked).
pub fn clear_notice(outcome: ClearOutcome) -> Status {
    let (text, tone) = match outcome {
        ClearOutcome::Cleared => (st::CLEARED.to_owned(), Tone::Info),
        ClearOutcome::ClearedUnverified => (st::CLEARED_BLIND.to_owned(), Tone::Info),
        ClearOutcome::LeftAlone => (st::LEFT_ALONE.to_owned(), Tone::Info),
        ClearOutcome::Failed(e) => (format!("{}: {e}", st::CLEAR_FAILED), Tone::Error),
    };
    Status { text, tone }
}

/// Keeps a vault just opened and reads its first page, or says why it did not open.
pub fn opened(env: &mut Env, opened: Result<Vault, VaultError>, created: bool) -> Msg {
    match opened {
        Ok(vault) => {
            env.seen_version = vault.data_version().ok();
            let listing = listing(&vault, Some(FIRST_PAGE));
            env.vault = Some(vault);
            Msg::Opened { created, listing }
        }
        Err(e) => Msg::OpenFailed {
            error: e.to_api(),
            from_env: false,
        },
    }
}

/// The keys and the secrets by name: the first `limit` of them, or all.
fn listing(vault: &Vault, limit: Option<usize>) -> Result<Listing, ApiError> {
    let keys = vault.list_keys().map_err(|e| e.to_api())?;
    let (secrets, more) = match limit {
        Some(limit) => {
            let page = vault
                .list_secrets(Some(limit), None)
                .map_err(|e| e.to_api())?;
            (page.secrets, page.page_info.next_marker.is_some())
        }
        None => (vault.all_secrets().map_err(|e| e.to_api())?, false),
    };
    Ok(Listing {
        secrets,
        keys,
        more,
    })
}

/// The keys; `with_usage` also counts secrets per key (a scan of every secret).
fn keys(vault: &Vault, with_usage: bool) -> KeyList {
    let keys = vault.list_keys().map_err(|e| e.to_api());
    let usage = (with_usage && keys.is_ok()).then(|| vault.key_usage().map_err(|e| e.to_api()));
    KeyList { keys, usage }
}

fn copy(env: &mut Env, text: &str, what: &str, now: Instant) -> Msg {
    copied(env.clipboard.copy(text, false, now), what)
}

/// The status line after a copy: where it went (a failure when it reached no clipboard).
fn copied(result: Result<CopyOutcome, ClipboardError>, what: &str) -> Msg {
    match result {
        Ok(o) if o.delivery.may_have_arrived() => {
            success(text::copied(what, &o.delivery, o.clears_after))
        }
        Ok(o) => failure(text::copied(what, &o.delivery, o.clears_after)),
        Err(e) => failure(format!("{}: {e}", st::COPY_FAILED)),
    }
}

fn copy_value(env: &mut Env, name: &str, now: Instant) -> Option<Msg> {
    let vault = env.vault.as_ref()?;
    let version = match vault.get_value(name, crate::csms::LATEST) {
        Ok(v) => v,
        Err(e) => return Some(failure(describe(&e.to_api()))),
    };
    let (value, what) = match (&version.secret_string, &version.secret_binary) {
        (Some(text), _) => (text, format!("{} {name}", st::VALUE_OF)),
        (None, Some(b64)) => (b64, format!("{} {name} {}", st::VALUE_OF, st::AS_BASE64)),
        (None, None) => {
            return Some(Msg::Notice(Status {
                text: format!("{} {name} {}", st::NO_VALUE, st::NOTHING_COPIED),
                tone: Tone::Info,
            }));
        }
    };
    Some(copied(env.clipboard.copy(value, true, now), &what))
}

/// The new-version and edit forms' effects, and the password generator's.
fn forms(env: &Env, effect: Effect) -> Option<Msg> {
    Some(match effect {
        Effect::Generate(req) => {
            Msg::PasswordGenerated(crate::vault::generate_password(&req).map_err(|e| e.to_api()))
        }
        Effect::CreateVersion { name, req } => {
            let vault = env.vault.as_ref()?;
            let result = vault.create_version(&name, &req).map_err(|e| e.to_api());
            let detail = result
                .is_ok()
                .then(|| vault.secret_detail(&name).map_err(|e| e.to_api()));
            Msg::VersionCreated {
                name,
                result,
                detail,
            }
        }
        Effect::UpdateSecret { name, req } => {
            let vault = env.vault.as_ref()?;
            let result = vault.update_secret(&name, &req).map_err(|e| e.to_api());
            let detail = result
                .is_ok()
                .then(|| vault.secret_detail(&name).map_err(|e| e.to_api()));
            Msg::SecretUpdated {
                name,
                result,
                detail,
            }
        }
        _ => return None,
    })
}
