//! SQLite storage: one file, schema and migrations, pragmas, permissions; rows in, rows out.
//!
//! The store only ever sees metadata and ciphertext, in its own row types; the vault turns them
//! into the contract's shapes.

mod backup;
pub mod checks;
pub mod credentials;
pub mod events;
mod file;
pub mod keys;
mod probe;
pub mod publish;
pub mod remotes;
pub mod rotation;
mod schema;
pub mod secrets;
mod sidecar;
pub mod sync_state;
pub mod tags;
mod tx;
pub mod versions;

pub use backup::CopyPace;
pub use file::{HeaderRow, Store, checkpoint_at, sync as sync_path};
pub use keys::KeyRow;
pub use secrets::{SecretRow, SecretWriter};
pub use tx::attempt;
pub use versions::{NewVersion, VersionRow};

use std::path::PathBuf;

/// What can go wrong below the vault. Each variant keeps its cause (the SQLite or I/O error) and,
/// where a file is involved, its path. Messages never hold a secret value.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no vault at {}", .0.display())]
    NoVault(PathBuf),
    #[error("a vault already exists at {}", .0.display())]
    Exists(PathBuf),
    /// `init` found a file that is not a vault at its path (`VAULT.0006`); it was not changed.
    #[error(
        "{} already exists and is not a csvault vault: it is {what}; init never overwrites a file",
        .path.display()
    )]
    Occupied { path: PathBuf, what: String },
    /// The file at the vault path is not a csvault vault (`VAULT.0003`), as told by its first
    /// 100 bytes; it was not changed and nothing was created beside it.
    #[error("{} is not a csvault vault: it is {what}; it was left untouched", .path.display())]
    Foreign { path: PathBuf, what: String },
    /// Something other than a file is at the vault path: a directory, a symlink to a missing
    /// file, a pipe or a device (`VAULT.0007`).
    #[error("{} is {what}", .path.display())]
    NotAFile { path: PathBuf, what: String },
    /// The vault path cannot be looked at: a directory on the way is unsearchable, a symlink
    /// loops (`VAULT.0007`).
    #[error("cannot look at {}: {reason}", .path.display())]
    Unreachable {
        path: PathBuf,
        reason: String,
        #[source]
        source: std::io::Error,
    },
    /// A `-wal` or `-shm` file beside the vault that another user could have planted or can read
    /// (`VAULT.0007`). Found before anything was written.
    #[error("refusing {}: {problem}", .path.display())]
    UnsafeSidecar { path: PathBuf, problem: String },
    #[error("the vault is busy: another csvault process holds it")]
    Busy(#[source] rusqlite::Error),
    /// The file is not a vault of ours, or a vault damaged beyond use.
    #[error("the vault file is damaged or not a csvault vault: {reason}")]
    Corrupt {
        reason: String,
        #[source]
        source: Option<rusqlite::Error>,
    },
    /// A file or directory could not be created, read or written.
    #[error("cannot {action} {}: {source}", .path.display())]
    File {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// SQLite could not read or write the file (cannot open, read-only, disk full, I/O error);
    /// `path` is known where the file was being opened.
    #[error("{source}")]
    Unavailable {
        path: Option<PathBuf>,
        #[source]
        source: rusqlite::Error,
    },
    #[error("database error: {0}")]
    Sqlite(#[source] rusqlite::Error),
    /// SQLite rolled back a group commit's transaction on its own (an I/O error, a full disk);
    /// nothing of the group was written.
    #[error("the write was rolled back by the database (an I/O error or a full disk)")]
    GroupAborted,
}

impl StoreError {
    /// Names the file an error came from, where it does not say already.
    #[must_use]
    pub fn at(self, file: &std::path::Path) -> Self {
        match self {
            Self::Unavailable { path: None, source } => Self::Unavailable {
                path: Some(file.to_owned()),
                source,
            },
            other => other,
        }
    }

    /// A damaged or foreign file, with no SQLite error behind it.
    pub fn corrupt(reason: impl Into<String>) -> Self {
        Self::Corrupt {
            reason: reason.into(),
            source: None,
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode as C;
        match e.sqlite_error_code() {
            Some(C::DatabaseBusy | C::DatabaseLocked) => Self::Busy(e),
            Some(C::NotADatabase | C::DatabaseCorrupt) => Self::Corrupt {
                reason: e.to_string(),
                source: Some(e),
            },
            Some(
                C::CannotOpen
                | C::ReadOnly
                | C::DiskFull
                | C::SystemIoFailure
                | C::PermissionDenied,
            ) => Self::Unavailable {
                path: None,
                source: e,
            },
            _ => Self::Sqlite(e),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;
