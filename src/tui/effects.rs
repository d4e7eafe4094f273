//! The runner's side: performs an `Effect` against the vault, the file system or the clipboard,
//! and writes the outcome back into the model. No drawing here, and no secret in any message.

use std::path::PathBuf;
use std::time::Instant;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroizing;

use super::action::Effect;
use super::app::{App, ListMode, Loaded, Overlay, Screen};
use super::catalog::Catalog;
use super::screens::form::{FileLoad, MAX_FILE_BYTES};
use super::screens::result::ResultState;
use super::screens::unlock::{UnlockMode, UnlockState};
use super::text::{form as ft, status as st, unlock as ut};
use crate::clipboard::ClipboardGuard;
use crate::csms::{ApiError, ErrorCode};
use crate::kms::KeyState;
use crate::vault::{Vault, VaultError};

/// The version id the vault reads as "the one holding SYSCURRENT".
const LATEST: &str = "latest";

/// What effects act on: the vault once unlocked, and the clipboard.
pub struct Env {
    pub path: PathBuf,
    pub vault: Option<Vault>,
    pub clipboard: ClipboardGuard,
}

/// The status-line text of a vault failure.
fn describe(e: &VaultError) -> String {
    let api = e.to_api();
    format!("{} {}", api.error_code(), api.error_msg)
}

pub fn perform(app: &mut App, env: &mut Env, effect: Effect, now: Instant) {
    match effect {
        Effect::Unlock(pass) => unlocked(app, env, Vault::open(&env.path, pass.as_bytes())),
        Effect::CreateVault(pass) => {
            let created = Vault::init(&env.path, pass.as_bytes());
            let ok = created.is_ok();
            unlocked(app, env, created);
            if ok {
                app.success(st::VAULT_CREATED);
            }
        }
        Effect::CheckName(name) => {
            let Some(vault) = &env.vault else { return };
            match vault.name_exists(&name) {
                Ok(taken) => {
                    if let Screen::Form(form) = &mut app.screen {
                        form.set_name_taken(&name, taken);
                    }
                }
                Err(e) => app.error(describe(&e)),
            }
        }
        Effect::LoadFile(path) => {
            let load = load_file(&path);
            if let Screen::Form(form) = &mut app.screen {
                form.set_file(&path, load);
            }
        }
        Effect::Submit(req) => submit(app, env, &req),
        Effect::LoadDetail(name) => {
            let Some(vault) = &env.vault else { return };
            let loaded = vault.secret_detail(&name);
            if let Screen::Detail(state) = &mut app.screen {
                match loaded {
                    Ok(d) => state.detail = Some(d),
                    Err(e) => state.error = Some(describe(&e)),
                }
            }
        }
        Effect::CopyRecord(name) => {
            let Some(vault) = &env.vault else { return };
            match vault.show_secret(&name) {
                Ok(secret) => {
                    let json =
                        Zeroizing::new(serde_json::to_string_pretty(&secret).unwrap_or_default());
                    copy(app, env, &json, st::WHAT_RECORD, now);
                }
                Err(e) => app.error(describe(&e)),
            }
        }
        Effect::CopyValue(name) => copy_value(app, env, &name, now),
        Effect::Copy { text, what } => copy(app, env, &text, what, now),
        Effect::LoadKeys => reload_keys(app, env, true),
        Effect::CreateKey(alias) => {
            let Some(vault) = &mut env.vault else { return };
            match vault.create_key(&alias, "") {
                Ok(key) => {
                    app.overlay = None;
                    app.success(format!("{} {}.", st::KEY_CREATED, key.key_alias));
                    reload_keys(app, env, true);
                }
                Err(e) => {
                    if let Some(Overlay::NewKey { error, .. }) = &mut app.overlay {
                        *error = Some(e.to_api().error_msg);
                    }
                }
            }
        }
        Effect::SetKeyState(key_id, to) => {
            let Some(vault) = &mut env.vault else { return };
            match vault.set_key_state(&key_id, to) {
                Ok(key) => {
                    let verb = if to == KeyState::Enabled {
                        st::KEY_ENABLED
                    } else {
                        st::KEY_DISABLED
                    };
                    app.success(format!("{verb} {}.", key.key_alias));
                    reload_keys(app, env, true);
                }
                Err(e) => app.error(describe(&e)),
            }
        }
    }
}

/// Shows the list of a vault just opened, or says why it did not open.
pub fn unlocked(app: &mut App, env: &mut Env, opened: Result<Vault, VaultError>) {
    match opened {
        Ok(vault) => {
            env.vault = Some(vault);
            app.screen = Screen::List(ListMode::Browse);
            load_first_page(app, env);
        }
        Err(e) => {
            let api = e.to_api();
            let why = if api.code == ErrorCode::WrongPassphrase {
                ut::WRONG.to_owned()
            } else {
                describe(&e)
            };
            match &mut app.screen {
                Screen::Unlock(state) => state.failed(why),
                _ => {
                    let mut state = UnlockState::new(UnlockMode::Unlock);
                    state.failed(why);
                    app.screen = Screen::Unlock(state);
                }
            }
        }
    }
}

/// How many secrets the first frame after unlocking is drawn from.
const FIRST_PAGE: usize = 200;

/// Reads the keys and the first page of secrets by name, so the first frame does not wait for
/// the whole vault; [`load_all`] follows right after that frame.
pub fn load_first_page(app: &mut App, env: &Env) {
    let Some(vault) = &env.vault else { return };
    let loaded = vault
        .list_keys()
        .and_then(|keys| Ok((vault.list_secrets(Some(FIRST_PAGE), None)?, keys)));
    match loaded {
        Ok((page, keys)) => {
            app.loaded = if page.page_info.next_marker.is_some() {
                Loaded::FirstPage
            } else {
                Loaded::All
            };
            app.catalog = Catalog::new(page.secrets, &keys);
            app.keys = keys;
        }
        Err(e) => app.error(describe(&e)),
    }
}

/// Reads every secret and key into the model.
pub fn load_all(app: &mut App, env: &Env) {
    app.loaded = Loaded::All;
    let Some(vault) = &env.vault else { return };
    let loaded = vault
        .list_keys()
        .and_then(|keys| Ok((vault.all_secrets()?, keys)));
    match loaded {
        Ok((secrets, keys)) => {
            app.catalog = Catalog::new(secrets, &keys);
            app.keys = keys;
        }
        Err(e) => app.error(describe(&e)),
    }
}

/// Refreshes the key list; `with_usage` also counts secrets per key (a scan of every secret).
fn reload_keys(app: &mut App, env: &Env, with_usage: bool) {
    let Some(vault) = &env.vault else { return };
    match vault.list_keys() {
        Ok(keys) => {
            app.catalog.set_keys(&keys);
            app.keys = keys;
            if with_usage {
                match vault.key_usage() {
                    Ok(usage) => app.key_usage = Some(usage),
                    Err(e) => {
                        // Zeros would read as "no secret uses this key": say the count failed.
                        app.key_usage = None;
                        app.error(format!("{}: {}", st::USAGE_FAILED, describe(&e)));
                    }
                }
            }
        }
        Err(e) => app.error(describe(&e)),
    }
}

fn submit(app: &mut App, env: &mut Env, req: &crate::csms::CreateSecretRequest) {
    let Some(vault) = &mut env.vault else { return };
    let created = vault.create_secret(req);
    let screen = std::mem::replace(&mut app.screen, Screen::List(ListMode::Browse));
    match (created, screen) {
        (Ok(secret), _) => {
            app.success(format!("{} {}.", st::CREATED, secret.name));
            app.catalog.insert(secret.clone());
            app.screen = Screen::Result(Box::new(ResultState::created(secret)));
            reload_keys(app, env, false);
        }
        (Err(e), Screen::Form(form)) => {
            let api: ApiError = e.to_api();
            app.error(format!("{} {}", api.error_code(), api.error_msg));
            app.screen = Screen::Result(Box::new(ResultState::failed(&api, form)));
        }
        (Err(e), other) => {
            app.screen = other;
            app.error(describe(&e));
        }
    }
}

fn load_file(path: &str) -> FileLoad {
    let path = std::path::Path::new(path);
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() && m.len() > MAX_FILE_BYTES => FileLoad::Failed(ft::FILE_TOO_BIG),
        Ok(m) if m.is_file() => match std::fs::read(path) {
            Ok(bytes) => {
                let bytes = Zeroizing::new(bytes);
                FileLoad::Loaded(Zeroizing::new(STANDARD.encode(&*bytes)))
            }
            Err(_) => FileLoad::Failed(ft::FILE_UNREADABLE),
        },
        _ => FileLoad::Failed(ft::FILE_UNREADABLE),
    }
}

fn copy(app: &mut App, env: &mut Env, text: &str, what: &str, now: Instant) {
    match env.clipboard.copy(text, false, now) {
        Ok(()) => app.success(format!(
            "{} {what} ({}).",
            st::COPIED,
            env.clipboard.backend_name()
        )),
        Err(e) => app.error(format!("{}: {e}", st::COPY_FAILED)),
    }
}

fn copy_value(app: &mut App, env: &mut Env, name: &str, now: Instant) {
    let Some(vault) = &mut env.vault else { return };
    let version = match vault.get_value(name, LATEST) {
        Ok(v) => v,
        Err(e) => return app.error(describe(&e)),
    };
    let Some(value) = version
        .secret_string
        .as_ref()
        .or(version.secret_binary.as_ref())
    else {
        return app.info(format!("{} {name} {}", st::NO_VALUE, st::NOTHING_COPIED));
    };
    match env.clipboard.copy(value, true, now) {
        Ok(()) => app.success(format!(
            "{} {name} ({}); {} {} s.",
            st::VALUE_COPIED,
            env.clipboard.backend_name(),
            st::CLEARS_IN,
            env.clipboard.clear_after().as_secs()
        )),
        Err(e) => app.error(format!("{}: {e}", st::COPY_FAILED)),
    }
}
