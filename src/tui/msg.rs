//! What comes back into `update` from outside a key press (`Msg`): the outcome of an effect, the
//! terminal's size, a paste, a clipboard clear, the idle lock, another process's commit. Effects
//! answer with a message; only `update` applies it.

use std::collections::HashMap;

use ratatui::layout::Size;
use zeroize::Zeroizing;

use super::action::Action;
use super::app::Status;
use super::screens::form::FileLoad;
use crate::csms::{ApiError, Secret};
use crate::csms::{KeyInfo, KeyState};
use crate::csms::{PasswordResponse, VersionMetadata};
use crate::vault::SecretDetail;

use super::ops::Done;
use crate::csms::SecretVersion;

/// Secrets and keys read together (the list shows each secret's key alias).
#[derive(Clone)]
pub struct Listing {
    pub secrets: Vec<Secret>,
    pub keys: Vec<KeyInfo>,
    /// Whether the vault holds more than these (only the first page was read).
    pub more: bool,
}

/// The keys re-read after a change, and, when asked for, how many secrets use each.
pub struct KeyList {
    pub keys: Result<Vec<KeyInfo>, ApiError>,
    pub usage: Option<Result<HashMap<String, i64>, ApiError>>,
}

/// One input to `update`.
pub enum Msg {
    /// A key press, as the keymap read it.
    Action(Action),
    /// The terminal's size: what scrolls and pages goes by it.
    Resize(Size),
    /// Something slow is about to run (the status line says so until its answer comes).
    Busy(&'static str),
    /// The vault opened (`created`: it was made just now), with its first page.
    Opened {
        created: bool,
        listing: Result<Listing, ApiError>,
    },
    /// The vault did not open; `from_env` when the passphrase came from the environment.
    OpenFailed { error: ApiError, from_env: bool },
    /// Every secret, read after the first frame was drawn from the first page.
    AllLoaded(Result<Listing, ApiError>),
    /// The vault's answer to the form's duplicate-name check.
    NameChecked {
        name: String,
        taken: Result<bool, ApiError>,
    },
    /// The file named in the form's file mode, read (or not).
    FileLoaded { path: String, load: FileLoad },
    /// The form's submit: the new secret (and the keys, which may now include the default one).
    Created {
        result: Result<Secret, ApiError>,
        keys: Option<KeyList>,
    },
    /// One secret in full, for the detail screen.
    Detail {
        name: String,
        result: Result<SecretDetail, ApiError>,
    },
    /// The keys screen's data.
    Keys(KeyList),
    KeyCreated {
        result: Result<KeyInfo, ApiError>,
        keys: Option<KeyList>,
    },
    KeyStateSet {
        to: KeyState,
        result: Result<KeyInfo, ApiError>,
        keys: Option<KeyList>,
    },
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
    /// The vault re-read after another process's commit: every secret and key, and how many
    /// secrets use each key when the keys screen is open.
    Reloaded {
        listing: Result<Listing, ApiError>,
        usage: Option<Result<HashMap<String, i64>, ApiError>>,
    },

    // The new-version and edit forms, and the password generator.
    /// A generated password for the value field (or why none).
    PasswordGenerated(Result<PasswordResponse, ApiError>),
    /// Create Secret Version answered; on success the secret re-read for its detail screen.
    VersionCreated {
        name: String,
        result: Result<VersionMetadata, ApiError>,
        detail: Option<Result<SecretDetail, ApiError>>,
    },
    /// Update Secret answered; on success the secret re-read for its detail screen.
    SecretUpdated {
        name: String,
        result: Result<Secret, ApiError>,
        detail: Option<Result<SecretDetail, ApiError>>,
    },
    // The secret's lifecycle (tui-detail).
    /// One version's value, read for the detail screen (shown only while revealed).
    Revealed {
        name: String,
        version_id: String,
        result: Result<SecretVersion, ApiError>,
    },
    /// A lifecycle operation answered.
    Done(Box<Done>),
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
            Self::AllLoaded(_) => "AllLoaded",
            Self::NameChecked { .. } => "NameChecked",
            Self::FileLoaded { .. } => "FileLoaded",
            Self::Created { .. } => "Created",
            Self::Detail { .. } => "Detail",
            Self::Keys(_) => "Keys",
            Self::KeyCreated { .. } => "KeyCreated",
            Self::KeyStateSet { .. } => "KeyStateSet",
            Self::Notice(_) => "Notice",
            Self::Paste(_) => "Paste",
            Self::IdleTimeout => "IdleTimeout",
            Self::Locked(_) => "Locked",
            Self::VaultChanged => "VaultChanged",
            Self::Reloaded { .. } => "Reloaded",
            Self::PasswordGenerated(_) => "PasswordGenerated",
            Self::VersionCreated { .. } => "VersionCreated",
            Self::SecretUpdated { .. } => "SecretUpdated",
            Self::Revealed { .. } => "Revealed",
            Self::Done(_) => "Done",
        };
        f.write_str(name)
    }
}

/// The status-line text of a vault failure.
pub fn describe(error: &ApiError) -> String {
    format!("{} {}", error.error_code(), error.error_msg)
}
