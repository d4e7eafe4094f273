//! The runner's side: performs an `Effect` against the vault (`Vault::execute`, one call per
//! effect), a file or the clipboard, and answers with a `Msg` for `update`. It never touches the
//! model. No drawing here.

use std::path::PathBuf;
use std::time::Instant;

use super::action::Effect;
use super::app::{Status, Tone};
use super::msg::{Answered, Msg};
use super::screens::form;
use super::text::{self, status as st};
use crate::agent::Client;
use crate::clipboard::{ClearOutcome, ClipboardError, ClipboardGuard, CopyOutcome};
use crate::csms::op::{Execute, Request, Response};
use crate::csms::{ApiError, ErrorCode};
use crate::vault::{Vault, VaultError};

mod blobfile;

pub use blobfile::Saved;

/// Where the app's operations run: a vault unlocked in this process, or the agent holding it
/// (issue 15; the keys then stay in the agent).
pub enum Backend {
    Local(Vault),
    Agent(Client),
}

impl Backend {
    /// Now, in ms since the epoch: the local vault's clock (injected in tests), else the system's.
    pub fn now_ms(&self) -> i64 {
        match self {
            Self::Local(vault) => vault.now_ms(),
            Self::Agent(_) => crate::timefmt::system_now_ms(),
        }
    }

    /// The vault's `data_version` (another process's commit changes it).
    pub fn data_version(&self) -> Result<i64, ApiError> {
        match self {
            Self::Local(vault) => vault.data_version().map_err(|e| e.to_api()),
            Self::Agent(client) => client.data_version(),
        }
    }
}

impl Execute for Backend {
    fn execute(&self, request: &Request) -> Result<Response, ApiError> {
        match self {
            Self::Local(vault) => Execute::execute(vault, request),
            Self::Agent(client) => client.execute(request),
        }
    }
}

/// What effects act on: the vault once unlocked, and the clipboard.
pub struct Env {
    pub path: PathBuf,
    pub vault: Option<Backend>,
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

    /// Whether the app runs through an agent that no longer holds the vault (it locked: idle,
    /// its lifetime, `csvault lock`): asked only after a failed call, so it costs nothing else.
    pub fn agent_gone(&self) -> bool {
        matches!(self.vault, Some(Backend::Agent(_)))
            && !matches!(crate::agent::find(&self.path), Ok(Some(_)))
    }

    /// A backend of its own for a worker thread (remote work, issue 17): another handle on the
    /// vault unlocked here, or another connection to the agent holding it.
    ///
    /// Errors: no vault open (`CSMS.0500`), the vault file cannot be opened again, no agent
    /// answers any more (`VAULT.0007`).
    pub fn worker_backend(&self) -> Result<Backend, ApiError> {
        match &self.vault {
            Some(Backend::Local(vault)) => {
                vault.handle().map(Backend::Local).map_err(|e| e.to_api())
            }
            Some(Backend::Agent(_)) => match crate::agent::find_quietly(&self.path)? {
                Some(client) => Ok(Backend::Agent(client)),
                None => Err(ApiError::new(ErrorCode::Io, st::AGENT_WENT_AWAY)),
            },
            None => Err(ApiError::new(
                ErrorCode::Internal,
                crate::tui::text::sync::NOT_OPEN,
            )),
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

/// Performs `effect`; `None` when there is nothing to report (no vault open yet). Several
/// effects ([`Effect::Each`]) are the caller's to run one by one.
pub fn perform(env: &mut Env, effect: Effect, now: Instant) -> Option<Msg> {
    Some(match effect {
        Effect::Unlock(pass) => opened(
            env,
            Vault::open(&env.path, pass.as_bytes()).map(Backend::Local),
            false,
        ),
        Effect::CreateVault(pass) => opened(
            env,
            Vault::init(&env.path, pass.as_bytes()).map(Backend::Local),
            true,
        ),
        Effect::Vault(call) => {
            let result = env.vault.as_ref()?.execute(&call.request);
            if result.is_err() && env.agent_gone() {
                return Some(agent_went_away(env));
            }
            Msg::Answered(Box::new(Answered {
                call: *call,
                result,
            }))
        }
        // The session runs these (several in order; remote work on a worker thread).
        Effect::Each(_) | Effect::Remote(_) => return None,
        Effect::LoadFile(path) => {
            let load = form::load_file(&path);
            Msg::FileLoaded { path, load }
        }
        Effect::SaveBlob { name, path, blob } => {
            let saved = blobfile::save(&path, &blob.secret_blob);
            Msg::BlobSaved { name, blob, saved }
        }
        Effect::LoadBlob(path) => Msg::BlobLoaded(blobfile::load(&path)),
        Effect::Copy {
            text,
            what,
            sensitive,
        } => copied(env.clipboard.copy(&text, sensitive, now), &what),
        Effect::Lock => {
            // Dropping the vault wipes its keys (the ciphers zeroize on drop); the agent holding
            // it is locked too (one lock), and the status line says so.
            let agent = match env.vault.take() {
                Some(Backend::Agent(client)) => Some(client.lock()),
                _ => None,
            };
            env.seen_version = None;
            let clipboard = env
                .clipboard
                .on_quit()
                .map(|o| clear_notice(o, env.clipboard.buffers_deleted()));
            Msg::Locked(match agent {
                None => clipboard,
                Some(result) => Some(agent_locked(clipboard, result)),
            })
        }
    })
}

/// The agent the app ran through has locked: the app locks too (its unlock screen next, the
/// passphrase unlocking here), and says why.
pub fn agent_went_away(env: &mut Env) -> Msg {
    env.vault = None;
    env.seen_version = None;
    let _ = env.clipboard.on_quit();
    Msg::Locked(Some(Status {
        text: st::AGENT_WENT_AWAY.to_owned(),
        tone: Tone::Info,
    }))
}

/// The status line after a copied value came due for clearing (or the app quit or locked), and
/// whether tmux paste buffers holding it were deleted (`buffers_deleted`).
pub fn clear_notice(outcome: ClearOutcome, buffers_deleted: usize) -> Status {
    let (mut text, tone) = match outcome {
        ClearOutcome::Cleared => (st::CLEARED.to_owned(), Tone::Info),
        ClearOutcome::ClearedUnverified => (st::CLEARED_BLIND.to_owned(), Tone::Info),
        ClearOutcome::LeftAlone => (st::LEFT_ALONE.to_owned(), Tone::Info),
        ClearOutcome::Failed(e) => (format!("{}: {e}", st::CLEAR_FAILED), Tone::Error),
    };
    if buffers_deleted > 0 {
        text.push(' ');
        text.push_str(st::BUFFER_DELETED);
    }
    Status { text, tone }
}

/// The status line after locking the app and the agent behind it: the agent's lock (and the
/// clipboard's notice before it, if any).
fn agent_locked(clipboard: Option<Status>, result: Result<(), ApiError>) -> Status {
    let (agent, tone) = match result {
        Ok(()) => (st::AGENT_LOCKED.to_owned(), Tone::Info),
        Err(e) => (
            format!("{}: {}", st::AGENT_LOCK_FAILED, e.error_msg),
            Tone::Error,
        ),
    };
    match clipboard {
        Some(before) if before.tone == Tone::Error => Status {
            text: format!("{} {agent}", before.text),
            tone: Tone::Error,
        },
        Some(before) => Status {
            text: format!("{} {agent}", before.text),
            tone,
        },
        None => Status { text: agent, tone },
    }
}

/// Keeps a vault just opened (here, or held by the agent), or says why it did not open.
pub fn opened(env: &mut Env, opened: Result<Backend, VaultError>, created: bool) -> Msg {
    match opened {
        Ok(vault) => {
            env.seen_version = vault.data_version().ok();
            env.vault = Some(vault);
            Msg::Opened { created }
        }
        Err(e) => Msg::OpenFailed {
            error: e.to_api(),
            from_env: false,
        },
    }
}

/// The status line after a copy: where it went (a failure when it reached no clipboard).
fn copied(result: Result<CopyOutcome, ClipboardError>, what: &str) -> Msg {
    let (text, tone) = match result {
        Ok(o) if o.delivery.may_have_arrived() => (
            text::copied(what, &o.delivery, o.clears_after),
            Tone::Success,
        ),
        Ok(o) => (text::copied(what, &o.delivery, o.clears_after), Tone::Error),
        Err(e) => (format!("{}: {e}", st::COPY_FAILED), Tone::Error),
    };
    Msg::Notice(Status { text, tone })
}
