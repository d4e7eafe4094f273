//! What comes back into `update` from outside a key press (`Msg`): the vault's answer to a call,
//! a file read or written, the terminal's size, a paste, a clipboard clear, the idle lock,
//! another process's commit. Effects answer with a message; only `update` applies it.

use ratatui::layout::Size;
use zeroize::Zeroizing;

use super::action::{Action, Call};
use super::app::Status;
use super::effects::Saved;
use super::screens::form::FileLoad;
use crate::csms::ApiError;
use crate::csms::SecretBlobResponse;
use crate::csms::op::Response;

/// The vault's answer to a call, with the call it answers.
#[derive(Debug)]
pub struct Answered {
    pub call: Call,
    pub result: Result<Response, ApiError>,
}

/// One input to `update`.
pub enum Msg {
    /// A key press, as the keymap read it.
    Action(Action),
    /// The terminal's size: what scrolls and pages goes by it.
    Resize(Size),
    /// Something slow is about to run (the status line says so until its answer comes).
    Busy(&'static str),
    /// The vault opened (`created`: it was made just now).
    Opened { created: bool },
    /// The vault did not open; `from_env` when the passphrase came from the environment.
    OpenFailed { error: ApiError, from_env: bool },
    /// A vault operation answered.
    Answered(Box<Answered>),
    /// The file named in the form's file mode, read (or not).
    FileLoaded { path: String, load: FileLoad },
    /// The backup blob of `name` written to its file, or why not.
    BlobSaved {
        name: String,
        blob: SecretBlobResponse,
        saved: Result<Saved, String>,
    },
    /// The backup blob file read for a restore, or why not.
    BlobLoaded(Result<String, String>),
    /// A line for the status bar (a copy, a clipboard clear). Never holds a value.
    Notice(Status),
    /// Text pasted into the terminal (bracketed paste): typed into the focused field as text,
    /// never read as keys.
    Paste(Zeroizing<String>),
    /// No input for the idle-lock time while the vault is open.
    IdleTimeout,
    /// The vault was dropped (its keys wiped); the clipboard's answer if a copied value was
    /// pending.
    Locked(Option<Status>),
    /// Another process (or handle) committed to the vault.
    VaultChanged,
    /// About a minute passed since the vault last did what had come due (automatic rotations,
    /// the purge): time to ask again.
    HousekeepingDue,
    /// Remote work answered (issue 17): a secret's standings, the remotes, a plan, a run.
    Remote(Box<crate::tui::sync::RemoteAnswer>),
}

impl From<Action> for Msg {
    fn from(action: Action) -> Self {
        Self::Action(action)
    }
}

impl std::fmt::Debug for Msg {
    /// Names the message only, like `Effect`'s: what a message carries is the user's business.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match self {
            Self::Action(_) => "Action",
            Self::Resize(_) => "Resize",
            Self::Busy(_) => "Busy",
            Self::Opened { .. } => "Opened",
            Self::OpenFailed { .. } => "OpenFailed",
            Self::Answered(_) => "Answered",
            Self::FileLoaded { .. } => "FileLoaded",
            Self::BlobSaved { .. } => "BlobSaved",
            Self::BlobLoaded(_) => "BlobLoaded",
            Self::Notice(_) => "Notice",
            Self::Paste(_) => "Paste",
            Self::IdleTimeout => "IdleTimeout",
            Self::Locked(_) => "Locked",
            Self::VaultChanged => "VaultChanged",
            Self::HousekeepingDue => "HousekeepingDue",
            Self::Remote(_) => "Remote",
        };
        f.write_str(name)
    }
}

/// The status-line text of a vault failure.
pub fn describe(error: &ApiError) -> String {
    format!("{} {}", error.error_code(), error.error_msg)
}
